//! CDR round trips with the exact settings ros2-client 0.12.1 uses on the DDS path: RustDDS 0.15's
//! `CDRSerializerAdapter<D, LittleEndian>` calls `cdr_encoding::to_writer::<D, LittleEndian>` (this
//! crate's `cdr-encoding = "0.11"`, the same version) and puts the 4-byte encapsulation header
//! `00 01 00 00` (CDR_LE, options 0) in front; its deserializer accepts CDR_LE and CDR_BE.
mod common;

use byteorder::{BigEndian, LittleEndian};
use common::{Defs, SampleGen};
use letan_msgs::action_msgs::{CancelGoalRequest, CancelGoalResponse};
use letan_msgs::builtin_interfaces::Time;
use letan_msgs::geometry_msgs::{Quaternion, Twist, Vector3};
use letan_msgs::nav_msgs::OccupancyGrid;
use letan_msgs::sensor_msgs::{Image, LaserScan};
use letan_msgs::std_msgs::{Empty, Header};
use letan_msgs::std_srvs::{SetBoolRequest, SetBoolResponse, TriggerRequest, TriggerResponse};
use letan_msgs::{
    known_actions, known_types, visit_action, visit_type, ActionVisitor, RosActionType, RosMessage,
    RosServiceType, TypeVisitor,
};

fn to_cdr<M: serde::Serialize>(m: &M) -> Vec<u8> {
    cdr_encoding::to_vec::<M, LittleEndian>(m).expect("CDR encode")
}

fn from_cdr<M: serde::de::DeserializeOwned>(b: &[u8]) -> Result<M, cdr_encoding::Error> {
    cdr_encoding::from_bytes::<M, LittleEndian>(b).map(|(m, _consumed)| m)
}

/// Round-trips the all-fields-set sample of `M` (built from its .msg file) in both byte orders,
/// and checks that no truncation of the bytes decodes or panics.
fn round_trip<M: RosMessage>(defs: &Defs) -> Result<(), String> {
    let name = M::type_name();
    let sample = SampleGen::new().message(defs, defs.get(&name));
    let msg: M = serde_yaml::from_value(sample).map_err(|e| format!("{name}: {e}"))?;

    let le = to_cdr(&msg);
    let back: M = from_cdr(&le).map_err(|e| format!("{name}: decode: {e}"))?;
    if back != msg {
        return Err(format!(
            "{name}: LE round trip changed the value\n{msg:?}\n{back:?}"
        ));
    }
    let (consumed_ok, consumed) = match cdr_encoding::from_bytes::<M, LittleEndian>(&le) {
        Ok((_, n)) => (n == le.len(), n),
        Err(e) => return Err(format!("{name}: {e}")),
    };
    if !consumed_ok {
        return Err(format!("{name}: decoded {consumed} of {} bytes", le.len()));
    }
    let be = cdr_encoding::to_vec::<M, BigEndian>(&msg).map_err(|e| format!("{name}: {e}"))?;
    let back_be: M = cdr_encoding::from_bytes::<M, BigEndian>(&be)
        .map_err(|e| format!("{name}: BE decode: {e}"))?
        .0;
    if back_be != msg {
        return Err(format!("{name}: BE round trip changed the value"));
    }
    if M::type_name() != "std_msgs/msg/Empty" && le.len() > 1 && le == to_cdr(&M::default()) {
        return Err(format!("{name}: the sample encodes like the default"));
    }
    for cut in 0..le.len() {
        if from_cdr::<M>(&le[..cut]).is_ok() {
            return Err(format!(
                "{name}: {cut} of {} bytes decoded without error",
                le.len()
            ));
        }
    }
    Ok(())
}

struct RoundTrip<'a>(&'a Defs);

impl TypeVisitor for RoundTrip<'_> {
    type Output = Result<(), String>;
    fn visit<M: RosMessage>(self) -> Self::Output {
        round_trip::<M>(self.0)
    }
}

#[test]
fn every_registered_type_round_trips_with_non_default_values() {
    let defs = Defs::load();
    let mut problems = Vec::new();
    let mut n = 0;
    for name in known_types() {
        match visit_type(name, RoundTrip(&defs)) {
            Some(Ok(())) => n += 1,
            Some(Err(e)) => problems.push(e),
            None => problems.push(format!("{name}: not visitable")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(n, known_types().len());
    for r in [
        round_trip::<SetBoolRequest>(&defs),
        round_trip::<SetBoolResponse>(&defs),
        round_trip::<TriggerRequest>(&defs),
        round_trip::<TriggerResponse>(&defs),
        round_trip::<CancelGoalRequest>(&defs),
        round_trip::<CancelGoalResponse>(&defs),
    ] {
        r.expect("service round trip");
    }
}

struct RoundTripAction<'a>(&'a Defs);

impl ActionVisitor for RoundTripAction<'_> {
    type Output = Vec<Result<(), String>>;
    fn visit<A: RosActionType>(self) -> Self::Output {
        type Req<S> = <S as RosServiceType>::Request;
        type Resp<S> = <S as RosServiceType>::Response;
        vec![
            round_trip::<A::Goal>(self.0),
            round_trip::<A::Result>(self.0),
            round_trip::<A::Feedback>(self.0),
            round_trip::<Req<A::SendGoal>>(self.0),
            round_trip::<Resp<A::SendGoal>>(self.0),
            round_trip::<Req<A::GetResult>>(self.0),
            round_trip::<Resp<A::GetResult>>(self.0),
            round_trip::<A::FeedbackMessage>(self.0),
        ]
    }
}

#[test]
fn every_action_message_round_trips_with_non_default_values() {
    let defs = Defs::load();
    let mut problems = Vec::new();
    for name in known_actions() {
        let results = visit_action(name, RoundTripAction(&defs)).expect("visitable");
        assert_eq!(results.len(), 8);
        problems.extend(results.into_iter().filter_map(Result::err));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn twist_bytes_are_six_little_endian_doubles() {
    let t = Twist {
        linear: Vector3::new(1.0, 0.0, 0.0),
        angular: Vector3::new(0.0, 0.0, -0.5),
    };
    let b = to_cdr(&t);
    assert_eq!(b.len(), 48);
    assert_eq!(&b[0..8], &1.0f64.to_le_bytes());
    assert_eq!(&b[40..48], &(-0.5f64).to_le_bytes());
}

#[test]
fn a_big_laser_scan_round_trips() {
    let n = 1440;
    let scan = LaserScan {
        header: Header::new(Time::new(1_700_000_000, 5), "laser"),
        angle_min: -std::f32::consts::PI,
        angle_max: std::f32::consts::PI,
        angle_increment: 2.0 * std::f32::consts::PI / n as f32,
        time_increment: 1e-5,
        scan_time: 0.1,
        range_min: 0.1,
        range_max: 30.0,
        ranges: (0..n)
            .map(|i| 0.1 + i as f32 * 0.01)
            .chain([f32::INFINITY])
            .collect(),
        intensities: (0..n).map(|i| (i % 255) as f32).collect(),
    };
    let b = to_cdr(&scan);
    // header: 4+4 stamp, 4 len + "laser\0" (6) + 2 pad; 7 floats; 2 sequences.
    assert_eq!(b.len(), 8 + 4 + 6 + 2 + 7 * 4 + 4 + (n + 1) * 4 + 4 + n * 4);
    let back: LaserScan = from_cdr(&b).expect("decode");
    assert_eq!(back, scan);
    assert!(back.ranges[n].is_infinite());
}

#[test]
fn an_image_round_trips_and_its_pixels_are_one_block() {
    let (w, h) = (320u32, 240u32);
    let img = Image {
        header: Header::new(Time::new(3, 0), "camera_optical"),
        height: h,
        width: w,
        encoding: "bgr8".into(),
        is_bigendian: 0,
        step: w * 3,
        data: (0..w * h * 3).map(|i| (i * 31 % 256) as u8).collect(),
    };
    let b = to_cdr(&img);
    let n = img.data.len();
    // The pixel block is the last `n` bytes, preceded by its u32 length: no per-byte padding.
    assert_eq!(&b[b.len() - n..], img.data.as_slice());
    assert_eq!(&b[b.len() - n - 4..b.len() - n], &(n as u32).to_le_bytes());
    assert_eq!(from_cdr::<Image>(&b).expect("decode"), img);
}

#[test]
fn occupancy_grid_keeps_negative_cells() {
    let mut g = OccupancyGrid::default();
    g.info.width = 4;
    g.info.height = 2;
    g.data = vec![-1, 0, 100, 50, -1, -128, 127, 1];
    let b = to_cdr(&g);
    assert_eq!(&b[b.len() - 8..], &[0xff, 0, 100, 50, 0xff, 0x80, 127, 1]);
    assert_eq!(from_cdr::<OccupancyGrid>(&b).expect("decode"), g);
}

#[test]
fn empty_is_one_zero_octet_like_the_ros2_idl() {
    assert_eq!(to_cdr(&Empty {}), vec![0]);
    assert_eq!(to_cdr(&TriggerRequest {}), vec![0]);
    assert_eq!(from_cdr::<Empty>(&[0]).expect("decode"), Empty {});
    // A peer may put any value in the dummy octet.
    assert_eq!(from_cdr::<Empty>(&[7]).expect("decode"), Empty {});
    assert!(from_cdr::<Empty>(&[]).is_err());
}

#[test]
fn quaternion_default_is_identity_on_the_wire() {
    let b = to_cdr(&Quaternion::default());
    assert_eq!(&b[24..32], &1.0f64.to_le_bytes());
}

#[test]
fn a_huge_length_prefix_is_an_error_not_an_allocation() {
    let img = Image {
        data: vec![1, 2, 3],
        ..Default::default()
    };
    let mut b = to_cdr(&img);
    let n = b.len();
    b[n - 7..n - 3].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
    assert!(from_cdr::<Image>(&b).is_err());

    let scan = LaserScan {
        ranges: vec![1.0],
        ..Default::default()
    };
    let mut b = to_cdr(&scan);
    // ranges length is right after header (8 + 4 + 1 = 13 -> pad to 16) and 7 floats (28): offset 44.
    assert_eq!(&b[44..48], &1u32.to_le_bytes());
    b[44..48].copy_from_slice(&0x4000_0000u32.to_le_bytes());
    assert!(from_cdr::<LaserScan>(&b).is_err());
}

#[test]
fn bad_utf8_in_a_string_is_an_error() {
    let h = Header::new(Time::default(), "ab");
    let mut b = to_cdr(&h);
    b[12] = 0xff; // the 'a'
    assert!(from_cdr::<Header>(&b).is_err());
}

/// `AudioData` / `OccupancyGrid` with serde's default per-element handling of their arrays.
#[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
struct PlainAudio {
    data: Vec<u8>,
}
#[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
struct PlainGrid {
    header: Header,
    info: letan_msgs::nav_msgs::MapMetaData,
    data: Vec<i8>,
}

#[test]
fn block_copied_byte_arrays_have_the_plain_sequence_layout() {
    use letan_msgs::audio_common_msgs::AudioData;
    for n in [0usize, 1, 3, 4, 5, 1000] {
        let data: Vec<u8> = (0..n).map(|i| (i * 37 % 256) as u8).collect();
        let ours = to_cdr(&AudioData { data: data.clone() });
        let plain = to_cdr(&PlainAudio { data: data.clone() });
        assert_eq!(ours, plain, "n = {n}");
        assert_eq!(
            from_cdr::<PlainAudio>(&ours).expect("plain decode").data,
            data
        );

        let cells: Vec<i8> = (0..n).map(|i| (i as i64 * 53 % 256 - 128) as i8).collect();
        let grid = OccupancyGrid {
            header: Header::new(Time::new(1, 2), "map"),
            data: cells.clone(),
            ..Default::default()
        };
        let plain = PlainGrid {
            header: grid.header.clone(),
            info: grid.info.clone(),
            data: cells,
        };
        assert_eq!(to_cdr(&grid), to_cdr(&plain), "n = {n}");
        assert_eq!(
            from_cdr::<PlainGrid>(&to_cdr(&grid)).expect("plain decode"),
            plain
        );
    }
}
