//! Our CDR bytes against those of the real Cyclone DDS implementation.
//!
//! `tests/golden/*.hex` were written by `tests/golden/gen_golden.py` with PyPI `cyclonedds` (the
//! version is in each file's second line): XCDR1, little-endian, with the 4-byte encapsulation
//! header. Here we build the same values, put RustDDS's header (`00 01 00 00`: CDR_LE, options 0)
//! in front of `cdr_encoding::to_vec::<_, LittleEndian>` (what ros2-client sends) and require the
//! bytes to be identical; we also decode Cyclone's bytes and require the same values.
//!
//! Known difference, not a bug: Cyclone's Python `serialize()` does not pad the payload to a
//! multiple of 4 (Empty is 5 bytes), and neither does RustDDS, so the bytes agree. Cyclone's C
//! writer may append up to 3 padding bytes on the wire and record their count in the options
//! field; readers (cdr-encoding included) ignore trailing bytes, which `decoding_ignores_trailing_padding`
//! checks.
//!
//! When a Python with `cyclonedds` is available (`LETAN_PYTHON`, else the project venv
//! `.deps/venv/bin/python3`, else `python3`), `golden_files_match_a_live_cyclone_run` re-runs the
//! generator and compares its output with the committed files.
use byteorder::LittleEndian;
use letan_msgs::action_msgs::{CancelGoalResponse, GoalInfo, GoalStatus, GoalStatusArray};
use letan_msgs::audio_common_msgs::{AudioData, AudioDataStamped};
use letan_msgs::builtin_interfaces::{Duration, Time};
use letan_msgs::geometry_msgs::{
    Point, Pose, PoseStamped, PoseWithCovariance, Quaternion, Transform, TransformStamped, Twist,
    Vector3,
};
use letan_msgs::hri_msgs::{IdsList, LiveSpeech};
use letan_msgs::letan_interfaces::Transcript;
use letan_msgs::nav2_msgs::{
    NavigateToPoseFeedback, NavigateToPoseFeedbackMessage, NavigateToPoseGetResultResponse,
    NavigateToPoseGoal, NavigateToPoseResult, NavigateToPoseSendGoalRequest,
};
use letan_msgs::nav_msgs::{MapMetaData, OccupancyGrid};
use letan_msgs::rosgraph_msgs::Clock;
use letan_msgs::sensor_msgs::{CameraInfo, Image, LaserScan, RegionOfInterest};
use letan_msgs::std_msgs::{Empty, Header};
use letan_msgs::tf2_msgs::TFMessage;
use letan_msgs::unique_identifier_msgs::UUID;
use letan_msgs::RosMessage;
use std::path::{Path, PathBuf};

const ENCAPSULATION_CDR_LE: [u8; 4] = [0x00, 0x01, 0x00, 0x00];

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn hdr(sec: i32, nanosec: u32, frame: &str) -> Header {
    Header::new(Time { sec, nanosec }, frame)
}

/// Python computes float32 fields in f64 and rounds once to f32: so do we.
fn f32_of(x: f64) -> f32 {
    x as f32
}

fn ts(frame: &str, child: &str, x: f64, y: f64, z: f64, w: f64) -> TransformStamped {
    TransformStamped {
        header: hdr(42, 500, frame),
        child_frame_id: child.into(),
        transform: Transform {
            translation: Vector3::new(x, y, 0.1),
            rotation: Quaternion {
                x: 0.0,
                y: 0.0,
                z,
                w,
            },
        },
    }
}

/// A payload as RustDDS puts it in a DATA submessage.
fn payload<M: RosMessage>(m: &M) -> Vec<u8> {
    let mut out = ENCAPSULATION_CDR_LE.to_vec();
    out.extend(cdr_encoding::to_vec::<M, LittleEndian>(m).expect("encode"));
    out
}

/// Decodes Cyclone's bytes (without the header) with our type, compares with our value.
type DecodeCheck = Box<dyn Fn(&[u8]) -> Result<(), String>>;

struct Case {
    file: &'static str,
    dds_type: String,
    ours: Vec<u8>,
    decodes_to_same: DecodeCheck,
}

fn case<M: RosMessage>(file: &'static str, m: M) -> Case {
    let ours = payload(&m);
    Case {
        file,
        dds_type: M::dds_type_name(),
        ours,
        decodes_to_same: Box::new(move |body| {
            let (back, used) =
                cdr_encoding::from_bytes::<M, LittleEndian>(body).map_err(|e| e.to_string())?;
            if back != m {
                return Err(format!("decoded {back:?}\nexpected {m:?}"));
            }
            if used != body.len() {
                return Err(format!("decoded {used} of {} bytes", body.len()));
            }
            Ok(())
        }),
    }
}

/// The action samples of gen_golden.py (NavigateToPose, action_msgs), in Rust.
fn action_cases() -> Vec<Case> {
    let goal_a = UUID::from_bytes(std::array::from_fn(|i| ((i * 7 + 3) % 256) as u8));
    let goal_b = UUID::from_bytes(std::array::from_fn(|i| (255 - i) as u8));
    let accepted_a = Time {
        sec: 1_700_000_100,
        nanosec: 5,
    };
    let pose = |sec, nanosec, x, y, z, w| PoseStamped {
        header: hdr(sec, nanosec, "map"),
        pose: Pose {
            position: Point::new(x, y, 0.0),
            orientation: Quaternion {
                x: 0.0,
                y: 0.0,
                z,
                w,
            },
        },
    };
    vec![
        case(
            "NavigateToPose_SendGoal_Request",
            NavigateToPoseSendGoalRequest {
                goal_id: goal_a,
                goal: NavigateToPoseGoal {
                    pose: pose(
                        1_700_000_100,
                        5,
                        3.5,
                        -1.25,
                        std::f64::consts::FRAC_1_SQRT_2,
                        std::f64::consts::FRAC_1_SQRT_2,
                    ),
                    behavior_tree: String::new(),
                },
            },
        ),
        case(
            "NavigateToPose_FeedbackMessage",
            NavigateToPoseFeedbackMessage {
                goal_id: goal_a,
                feedback: NavigateToPoseFeedback {
                    current_pose: pose(
                        1_700_000_101,
                        250_000_000,
                        1.0,
                        0.5,
                        0.25881904510252074,
                        0.9659258262890683,
                    ),
                    navigation_time: Duration {
                        sec: 12,
                        nanosec: 500_000_000,
                    },
                    estimated_time_remaining: Duration { sec: 8, nanosec: 0 },
                    number_of_recoveries: 1,
                    distance_remaining: 2.75,
                },
            },
        ),
        case(
            "GoalStatusArray",
            GoalStatusArray {
                status_list: vec![
                    GoalStatus {
                        goal_info: GoalInfo {
                            goal_id: goal_a,
                            stamp: accepted_a,
                        },
                        status: GoalStatus::STATUS_EXECUTING,
                    },
                    GoalStatus {
                        goal_info: GoalInfo {
                            goal_id: goal_b,
                            stamp: Time {
                                sec: 1_700_000_000,
                                nanosec: 999_999_999,
                            },
                        },
                        status: GoalStatus::STATUS_ABORTED,
                    },
                ],
            },
        ),
        case(
            "NavigateToPose_GetResult_Response",
            NavigateToPoseGetResultResponse {
                status: GoalStatus::STATUS_ABORTED,
                result: NavigateToPoseResult {
                    error_code: NavigateToPoseResult::TF_ERROR,
                    error_msg: "không tìm thấy biến đổi map → base_link".into(),
                },
            },
        ),
        case(
            "CancelGoal_Response",
            CancelGoalResponse {
                return_code: CancelGoalResponse::ERROR_NONE,
                goals_canceling: vec![GoalInfo {
                    goal_id: goal_a,
                    stamp: accepted_a,
                }],
            },
        ),
    ]
}

/// The values of gen_golden.py's `samples()`, in Rust.
fn cases() -> Vec<Case> {
    let n = 1081;
    let mut all = vec![
        case(
            "Twist",
            Twist {
                linear: Vector3::new(0.25, -1.5, 0.0),
                angular: Vector3::new(0.0, 0.0, 0.75),
            },
        ),
        case(
            "LaserScan",
            LaserScan {
                header: hdr(1_700_000_000, 123_456_789, "laser"),
                angle_min: f32_of(-2.35619449),
                angle_max: f32_of(2.35619449),
                angle_increment: f32_of(0.00436332313),
                time_increment: f32_of(0.0000617),
                scan_time: f32_of(0.0666),
                range_min: f32_of(0.05),
                range_max: f32_of(25.0),
                ranges: (0..n).map(|i| f32_of(0.5 + 0.01 * f64::from(i))).collect(),
                intensities: (0..n).map(|i| f32_of(f64::from(i % 256))).collect(),
            },
        ),
        case(
            "TFMessage",
            TFMessage {
                transforms: vec![
                    ts("map", "odom", 1.0, 2.0, 0.0, 1.0),
                    ts(
                        "odom",
                        "base_link",
                        -0.5,
                        0.25,
                        0.38268343236508984,
                        0.9238795325112867,
                    ),
                ],
            },
        ),
        case(
            "OccupancyGrid",
            OccupancyGrid {
                header: hdr(7, 0, "map"),
                info: MapMetaData {
                    map_load_time: Time {
                        sec: 6,
                        nanosec: 999,
                    },
                    resolution: f32_of(0.05),
                    width: 7,
                    height: 5,
                    origin: Pose {
                        position: Point::new(-1.0, -2.0, 0.0),
                        orientation: Quaternion::IDENTITY,
                    },
                },
                data: (0..35)
                    .map(|i: i32| {
                        if i % 6 == 0 {
                            -1
                        } else {
                            ((i * 13) % 101) as i8
                        }
                    })
                    .collect(),
            },
        ),
        case(
            "Image",
            Image {
                header: hdr(11, 22, "camera_optical"),
                height: 3,
                width: 5,
                encoding: "rgb8".into(),
                is_bigendian: 0,
                step: 15,
                data: (0..45u32).map(|i| ((i * 7) % 256) as u8).collect(),
            },
        ),
        case(
            "CameraInfo",
            CameraInfo {
                header: hdr(11, 22, "camera_optical"),
                height: 480,
                width: 640,
                distortion_model: "plumb_bob".into(),
                d: vec![0.1, -0.25, 0.001, 0.002, 0.0],
                k: [525.0, 0.0, 319.5, 0.0, 525.0, 239.5, 0.0, 0.0, 1.0],
                r: [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
                p: [
                    525.0, 0.0, 319.5, 0.0, 0.0, 525.0, 239.5, 0.0, 0.0, 0.0, 1.0, 0.0,
                ],
                binning_x: 0,
                binning_y: 0,
                roi: RegionOfInterest {
                    x_offset: 1,
                    y_offset: 2,
                    height: 3,
                    width: 4,
                    do_rectify: true,
                },
            },
        ),
        case(
            "Clock",
            Clock {
                clock: Time {
                    sec: 1234,
                    nanosec: 567_000_000,
                },
            },
        ),
        case(
            "IdsList",
            IdsList {
                header: hdr(5, 6, "camera"),
                ids: vec!["a3f9k".into(), "zz01".into(), String::new()],
            },
        ),
        case(
            "LiveSpeech",
            LiveSpeech {
                header: hdr(9, 10, ""),
                incremental: String::new(),
                r#final: "xin chào, tôi cần làm căn cước".into(),
                confidence: 0.875,
                locale: "vi_VN".into(),
            },
        ),
        case(
            "PoseWithCovariance",
            PoseWithCovariance {
                pose: Pose {
                    position: Point::new(1.0, 2.0, 3.0),
                    orientation: Quaternion::IDENTITY,
                },
                covariance: std::array::from_fn(|i| i as f64 * 0.5),
            },
        ),
        case("Empty", Empty {}),
        case(
            "AudioDataStamped",
            AudioDataStamped {
                header: hdr(3, 4, "mic"),
                audio: AudioData {
                    data: (0..21u32).map(|i| ((i * 31) % 256) as u8).collect(),
                },
            },
        ),
        case(
            "Transcript",
            Transcript {
                header: hdr(100, 200, ""),
                text: "phòng vệ sinh ở đâu?".into(),
                language: "vi".into(),
                confidence: 0.5,
                is_final: true,
                source: "asr".into(),
            },
        ),
    ];
    all.extend(action_cases());
    all
}

/// Reads a .hex file: `#` comment lines, then hex digits over any number of lines.
fn read_hex(path: &Path) -> (Vec<String>, Vec<u8>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let comments: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(str::to_string)
        .collect();
    let hex: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(|l| l.trim().chars())
        .collect();
    assert!(
        hex.len().is_multiple_of(2),
        "{}: odd number of hex digits",
        path.display()
    );
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(&hex[i..i + 2], 16)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        })
        .collect();
    (comments, bytes)
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    let i = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let show = |v: &[u8]| {
        v[i.min(v.len())..(i + 16).min(v.len())]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    format!(
        "lengths {} vs {}, first difference at byte {i}: {} vs {}",
        a.len(),
        b.len(),
        show(a),
        show(b)
    )
}

#[test]
fn our_cdr_is_byte_identical_to_cyclone_dds() {
    let mut problems = Vec::new();
    let cases = cases();
    for c in &cases {
        let path = golden_dir().join(format!("{}.hex", c.file));
        let (comments, golden) = read_hex(&path);
        assert!(
            comments.first().is_some_and(|l| l.contains(&c.dds_type)),
            "{}: first line names {}",
            path.display(),
            c.dds_type
        );
        assert!(
            comments.iter().any(|l| l.contains("made by cyclonedds")),
            "{}: version note",
            path.display()
        );
        assert_eq!(
            golden[..4],
            ENCAPSULATION_CDR_LE,
            "{}: Cyclone's header",
            c.file
        );
        if c.ours != golden {
            problems.push(format!(
                "{}: {}",
                c.file,
                first_difference(&c.ours, &golden)
            ));
        }
        if let Err(e) = (c.decodes_to_same)(&golden[4..]) {
            problems.push(format!("{}: decoding Cyclone's bytes: {e}", c.file));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Every .hex file has a case (a file without a Rust twin would go unchecked).
    let files = std::fs::read_dir(golden_dir())
        .expect("golden dir")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "hex"))
        });
    assert_eq!(files.count(), cases.len());
}

#[test]
fn the_required_types_have_golden_files() {
    let names: Vec<&str> = cases().iter().map(|c| c.file).collect();
    for t in [
        "Twist",
        "LaserScan",
        "TFMessage",
        "OccupancyGrid",
        "Image",
        "CameraInfo",
        "Clock",
        "IdsList",
        "LiveSpeech",
        "NavigateToPose_SendGoal_Request",
        "NavigateToPose_FeedbackMessage",
        "GoalStatusArray",
    ] {
        assert!(names.contains(&t), "{t}");
    }
    // The scan must be big enough to fragment on the wire (> 1,000 ranges).
    let (_, scan) = read_hex(&golden_dir().join("LaserScan.hex"));
    assert!(scan.len() > 8_000, "{}", scan.len());
}

#[test]
fn decoding_ignores_trailing_padding() {
    // Cyclone C may pad the payload to a multiple of 4 on the wire.
    let (_, golden) = read_hex(&golden_dir().join("Empty.hex"));
    let mut padded = golden[4..].to_vec();
    padded.extend([0, 0, 0]);
    let (m, used) = cdr_encoding::from_bytes::<Empty, LittleEndian>(&padded).expect("decode");
    assert_eq!((m, used), (Empty {}, 1));
}

fn python_with_cyclonedds() -> Option<PathBuf> {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.deps/venv/bin/python3");
    let candidates: Vec<PathBuf> = std::env::var_os("LETAN_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .chain([venv, PathBuf::from("python3")])
        .collect();
    candidates.into_iter().find(|py| {
        std::process::Command::new(py)
            .args(["-c", "import cyclonedds.idl"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

#[test]
fn golden_files_match_a_live_cyclone_run() {
    let Some(py) = python_with_cyclonedds() else {
        if std::env::var_os("LETAN_NO_CYCLONE").is_some() {
            eprintln!("LETAN_NO_CYCLONE set: live Cyclone DDS comparison NOT run (committed files were checked)");
            return;
        }
        panic!(
            "no Python with the cyclonedds package (tried $LETAN_PYTHON, .deps/venv, python3): run \
             scripts/setup.sh, or set LETAN_NO_CYCLONE=1 to check only the committed golden files"
        );
    };
    let out = std::env::temp_dir().join(format!("letan-msgs-golden-{}", std::process::id()));
    let status = std::process::Command::new(&py)
        .arg(golden_dir().join("gen_golden.py"))
        .arg(&out)
        .status()
        .expect("run gen_golden.py");
    assert!(status.success(), "gen_golden.py failed");
    let mut problems = Vec::new();
    for c in cases() {
        let (_, live) = read_hex(&out.join(format!("{}.hex", c.file)));
        let (_, committed) = read_hex(&golden_dir().join(format!("{}.hex", c.file)));
        if live != committed {
            problems.push(format!(
                "{}: live Cyclone run differs from the committed file: {}",
                c.file,
                first_difference(&live, &committed)
            ));
        }
        if live != c.ours {
            problems.push(format!(
                "{}: ours vs live Cyclone: {}",
                c.file,
                first_difference(&c.ours, &live)
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
