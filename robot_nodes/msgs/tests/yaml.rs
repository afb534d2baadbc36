//! YAML, as `letan topic pub` reads it and `letan topic echo` prints it.
use letan_msgs::builtin_interfaces::Time;
use letan_msgs::geometry_msgs::{Pose, PoseWithCovarianceStamped, Twist, Vector3};
use letan_msgs::hri_msgs::LiveSpeech;
use letan_msgs::letan_interfaces::{Intent, IntentHypothesis};
use letan_msgs::nav_msgs::OccupancyGrid;
use letan_msgs::sensor_msgs::Image;
use letan_msgs::std_msgs::{Empty, Header, StringMsg};
use letan_msgs::std_srvs::TriggerRequest;
use serde::de::DeserializeOwned;
use serde::Serialize;

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(v: &T) -> String {
    let text = serde_yaml::to_string(v).expect("to yaml");
    let back: T = serde_yaml::from_str(&text).expect("from yaml");
    assert_eq!(&back, v, "{text}");
    text
}

fn err<T: DeserializeOwned + std::fmt::Debug>(yaml: &str) -> String {
    match serde_yaml::from_str::<T>(yaml) {
        Ok(v) => panic!("{yaml:?} was accepted as {v:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_few_types_round_trip_through_yaml() {
    let text = round_trip(&Twist::planar(0.2, -0.4));
    assert!(
        text.contains("linear:") && text.contains("x: 0.2"),
        "{text}"
    );

    let mut p = PoseWithCovarianceStamped {
        header: Header::new(Time::new(10, 5), "map"),
        ..Default::default()
    };
    p.pose.pose = Pose::from_xy_yaw(1.0, -2.0, 0.5);
    p.pose.covariance[0] = 0.25;
    p.pose.covariance[35] = 0.06;
    round_trip(&p);

    let intent = Intent {
        text: "cho tôi đến quầy lễ tân".into(),
        language: "vi".into(),
        intent_id: "nav.guide".into(),
        destination: "reception".into(),
        confidence: 0.875,
        alternatives: vec![IntentHypothesis {
            intent_id: "nav.where_is".into(),
            destination: "reception".into(),
            confidence: 0.125,
        }],
        ..Default::default()
    };
    round_trip(&intent);

    let speech = LiveSpeech {
        r#final: "hello".into(),
        locale: "en_GB".into(),
        ..Default::default()
    };
    let text = round_trip(&speech);
    assert!(
        text.contains("final: hello"),
        "the ROS field name is `final`: {text}"
    );

    let text = round_trip(&Empty {});
    assert_eq!(text.trim(), "{}");
    round_trip(&TriggerRequest {});
}

#[test]
fn byte_arrays_are_lists_of_integers() {
    let img = Image {
        width: 2,
        height: 1,
        encoding: "mono8".into(),
        step: 2,
        data: vec![0, 255],
        ..Default::default()
    };
    let text = round_trip(&img);
    assert!(text.contains("- 255"), "{text}");
    let g = OccupancyGrid {
        data: vec![-1, 100],
        ..Default::default()
    };
    let text = round_trip(&g);
    assert!(text.contains("- -1"), "{text}");
    assert!(err::<Image>("data: [1, 256]").contains("256"));
    assert!(err::<OccupancyGrid>("data: [-129]").contains("-129"));
}

#[test]
fn partial_yaml_fills_ros_defaults() {
    let t: Twist = serde_yaml::from_str("{linear: {x: 0.2}}").expect("partial twist");
    assert_eq!(
        t,
        Twist {
            linear: Vector3::new(0.2, 0.0, 0.0),
            ..Default::default()
        }
    );
    let t: Twist = serde_yaml::from_str("{}").expect("empty twist");
    assert_eq!(t, Twist::default());
    // Quaternion's ROS default is the identity, also when only the position is given.
    let p: Pose = serde_yaml::from_str("{position: {x: 1.5}}").expect("partial pose");
    assert_eq!((p.position.x, p.orientation.w), (1.5, 1.0));
    let s: StringMsg = serde_yaml::from_str("{data: xin chào}").expect("string");
    assert_eq!(s.data, "xin chào");
    let e: Empty = serde_yaml::from_str("{}").expect("empty");
    assert_eq!(e, Empty {});
}

#[test]
fn unknown_keys_are_rejected_with_their_name() {
    let e = err::<Twist>("{linear: {xx: 0.2}}");
    assert!(e.contains("unknown field `xx`"), "{e}");
    let e = err::<Twist>("{lienar: {x: 0.2}}");
    assert!(e.contains("unknown field `lienar`"), "{e}");
    let e = err::<Empty>("{data: 1}");
    assert!(e.contains("unknown field `data`"), "{e}");
    let e = err::<TriggerRequest>("{x: 1}");
    assert!(e.contains("unknown field `x`"), "{e}");
    // The CDR dummy member of Empty is not a YAML field.
    let e = err::<Empty>("{structure_needs_at_least_one_member: 0}");
    assert!(e.contains("structure_needs_at_least_one_member"), "{e}");
}

#[test]
fn wrong_types_and_lengths_are_rejected() {
    let e = err::<Twist>("{linear: {x: fast}}");
    assert!(e.contains("linear.x") || e.contains("invalid type"), "{e}");
    let e = err::<PoseWithCovarianceStamped>("{pose: {covariance: [1, 2, 3]}}");
    assert!(e.contains("36"), "{e}");
    let too_long = format!("{{pose: {{covariance: [{}]}}}}", vec!["0"; 37].join(", "));
    let e = err::<PoseWithCovarianceStamped>(&too_long);
    assert!(e.contains("36"), "{e}");
    err::<Header>("{stamp: {sec: -1, nanosec: -5}}");
}
