//! The `.msg`/`.srv` files and the Rust structs cannot drift: for every registered type, the field
//! names, their order and their wire types must be those of its definition file, recursively.
mod common;

use common::{check_struct, record, Defs, SampleGen};
use letan_msgs::action_msgs::{CancelGoalRequest, CancelGoalResponse, GoalStatus};
use letan_msgs::hri_msgs::EngagementLevel;
use letan_msgs::letan_interfaces::{
    DialogState, GuideStatus, SayRequest, ScreenContent, StaffAlert, Transcript,
};
use letan_msgs::nav2_msgs::NavigateToPoseResult;
use letan_msgs::std_srvs::{SetBoolRequest, SetBoolResponse, TriggerRequest, TriggerResponse};
use letan_msgs::{
    known_actions, known_services, known_types, visit_action, visit_type, ActionVisitor,
    RosActionType, RosMessage, RosServiceType, TypeVisitor,
};
use std::collections::BTreeSet;

/// Checks one type against its definition; returns the problems found.
fn check_type<M: RosMessage>(defs: &Defs) -> Result<(), String> {
    let name = M::type_name();
    let def = defs
        .defs
        .get(&name)
        .ok_or_else(|| format!("{name}: no definition file"))?;

    // 1. Shape of the serialized default value: names, order, primitive widths, array lengths.
    check_struct(defs, def, &record(&M::default()), &name)?;

    // 2. A sample with every field set (sequences non-empty) builds the struct from YAML: every
    //    .msg field exists in the struct (deny_unknown_fields), and serializing it back gives the same
    //    document: no struct field is missing from the .msg, and no value is lost.
    let sample = SampleGen::new().message(defs, def);
    let msg: M = serde_yaml::from_value(sample.clone())
        .map_err(|e| format!("{name}: the .msg sample does not fit the struct: {e}\n{sample:?}"))?;
    let back = serde_yaml::to_value(&msg).map_err(|e| format!("{name}: {e}"))?;
    if back != sample {
        return Err(format!(
            "{name}: YAML round trip differs\n  sample: {sample:?}\n  back:   {back:?}"
        ));
    }
    // 3. The same shape check with every sequence filled (checks element types of sequences).
    check_struct(defs, def, &record(&msg), &name)?;
    if !def.fields.is_empty() && msg == M::default() {
        return Err(format!("{name}: the sample equals the default"));
    }
    Ok(())
}

struct Check<'a>(&'a Defs);

impl TypeVisitor for Check<'_> {
    type Output = Result<(), String>;
    fn visit<M: RosMessage>(self) -> Self::Output {
        check_type::<M>(self.0)
    }
}

#[test]
fn every_registered_message_matches_its_msg_file() {
    let defs = Defs::load();
    let mut problems = Vec::new();
    for name in known_types() {
        match visit_type(name, Check(&defs)) {
            Some(Ok(())) => {}
            Some(Err(e)) => problems.push(e),
            None => problems.push(format!("{name}: listed but not visitable")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn every_service_part_matches_its_srv_file() {
    let defs = Defs::load();
    let results = [
        check_type::<SetBoolRequest>(&defs),
        check_type::<SetBoolResponse>(&defs),
        check_type::<TriggerRequest>(&defs),
        check_type::<TriggerResponse>(&defs),
        check_type::<CancelGoalRequest>(&defs),
        check_type::<CancelGoalResponse>(&defs),
    ];
    let problems: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// Checks the eight messages of an action against its `.action` file (and what rosidl derives).
struct CheckAction<'a>(&'a Defs);

impl ActionVisitor for CheckAction<'_> {
    type Output = Vec<String>;
    fn visit<A: RosActionType>(self) -> Self::Output {
        type Req<S> = <S as RosServiceType>::Request;
        type Resp<S> = <S as RosServiceType>::Response;
        [
            check_type::<A::Goal>(self.0),
            check_type::<A::Result>(self.0),
            check_type::<A::Feedback>(self.0),
            check_type::<Req<A::SendGoal>>(self.0),
            check_type::<Resp<A::SendGoal>>(self.0),
            check_type::<Req<A::GetResult>>(self.0),
            check_type::<Resp<A::GetResult>>(self.0),
            check_type::<A::FeedbackMessage>(self.0),
        ]
        .into_iter()
        .filter_map(Result::err)
        .collect()
    }
}

#[test]
fn every_action_part_matches_its_action_file() {
    let defs = Defs::load();
    let mut problems = Vec::new();
    for name in known_actions() {
        match visit_action(name, CheckAction(&defs)) {
            Some(p) => problems.extend(p),
            None => problems.push(format!("{name}: listed but not visitable")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    // The derived layouts, spelled out once (rosidl_parser's Action).
    let names = |key: &str| -> Vec<String> {
        defs.get(key)
            .fields
            .iter()
            .map(|f| f.name.clone())
            .collect()
    };
    let a = "nav2_msgs/action/NavigateToPose";
    assert_eq!(names(&format!("{a}_SendGoal_Request")), ["goal_id", "goal"]);
    assert_eq!(
        names(&format!("{a}_SendGoal_Response")),
        ["accepted", "stamp"]
    );
    assert_eq!(names(&format!("{a}_GetResult_Request")), ["goal_id"]);
    assert_eq!(
        names(&format!("{a}_GetResult_Response")),
        ["status", "result"]
    );
    assert_eq!(
        names(&format!("{a}_FeedbackMessage")),
        ["goal_id", "feedback"]
    );
}

#[test]
fn every_definition_file_is_a_registered_type_and_back() {
    let defs = Defs::load();
    let files: BTreeSet<String> = defs
        .defs
        .keys()
        .filter(|k| k.contains("/msg/"))
        .cloned()
        .collect();
    let registered: BTreeSet<String> = known_types().iter().map(|s| s.to_string()).collect();
    assert_eq!(files, registered, "msg/ files vs known_types()");

    let srv_files: BTreeSet<String> = defs
        .defs
        .keys()
        .filter(|k| k.contains("/srv/"))
        .filter_map(|k| k.strip_suffix("_Request"))
        .map(str::to_string)
        .collect();
    let services: BTreeSet<String> = known_services().iter().map(|s| s.to_string()).collect();
    assert_eq!(srv_files, services, "srv/ files vs known_services()");

    let action_files: BTreeSet<String> = defs
        .defs
        .keys()
        .filter(|k| k.contains("/action/"))
        .filter_map(|k| k.strip_suffix("_Goal"))
        .map(str::to_string)
        .collect();
    let actions: BTreeSet<String> = known_actions().iter().map(|s| s.to_string()).collect();
    assert_eq!(action_files, actions, "action/ files vs known_actions()");
}

#[test]
fn letan_interfaces_files_are_documented() {
    // Own types: each .msg starts with its name and has a comment on every field line.
    let dir = common::crate_dir().join("msg/letan_interfaces");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("msg/letan_interfaces") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        let name = path.file_stem().and_then(|s| s.to_str()).expect("name");
        assert!(
            text.starts_with(&format!("# letan_interfaces/msg/{name}\n")),
            "{}: first line names the type",
            path.display()
        );
        for line in text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            assert!(
                line.contains('#'),
                "{}: undocumented line {line:?}",
                path.display()
            );
        }
        n += 1;
    }
    assert!(n >= 8, "{n} letan_interfaces messages");
}

/// Every constant in the definition files, with the value of its Rust associated const.
fn rust_constants() -> Vec<(&'static str, &'static str, String)> {
    let e = "hri_msgs/msg/EngagementLevel";
    let t = "letan_interfaces/msg/Transcript";
    let s = "letan_interfaces/msg/SayRequest";
    let d = "letan_interfaces/msg/DialogState";
    let a = "letan_interfaces/msg/StaffAlert";
    let g = "letan_interfaces/msg/GuideStatus";
    let c = "letan_interfaces/msg/ScreenContent";
    vec![
        (c, "CONFIRM_YES", ScreenContent::CONFIRM_YES.to_string()),
        (c, "CONFIRM_NO", ScreenContent::CONFIRM_NO.to_string()),
        (e, "UNKNOWN", EngagementLevel::UNKNOWN.to_string()),
        (e, "DISENGAGED", EngagementLevel::DISENGAGED.to_string()),
        (e, "ENGAGING", EngagementLevel::ENGAGING.to_string()),
        (e, "ENGAGED", EngagementLevel::ENGAGED.to_string()),
        (e, "DISENGAGING", EngagementLevel::DISENGAGING.to_string()),
        (t, "SOURCE_ASR", Transcript::SOURCE_ASR.to_string()),
        (
            t,
            "SOURCE_KEYBOARD",
            Transcript::SOURCE_KEYBOARD.to_string(),
        ),
        (
            s,
            "PRIORITY_NORMAL",
            SayRequest::PRIORITY_NORMAL.to_string(),
        ),
        (s, "PRIORITY_HIGH", SayRequest::PRIORITY_HIGH.to_string()),
        (d, "STATE_IDLE", DialogState::STATE_IDLE.to_string()),
        (d, "STATE_GREETING", DialogState::STATE_GREETING.to_string()),
        (
            d,
            "STATE_LISTENING",
            DialogState::STATE_LISTENING.to_string(),
        ),
        (
            d,
            "STATE_ANSWERING",
            DialogState::STATE_ANSWERING.to_string(),
        ),
        (d, "STATE_GUIDING", DialogState::STATE_GUIDING.to_string()),
        (d, "STATE_HANDOVER", DialogState::STATE_HANDOVER.to_string()),
        (
            a,
            "REASON_REQUESTED",
            StaffAlert::REASON_REQUESTED.to_string(),
        ),
        (
            a,
            "REASON_NOT_UNDERSTOOD",
            StaffAlert::REASON_NOT_UNDERSTOOD.to_string(),
        ),
        (
            a,
            "REASON_OUT_OF_SCOPE",
            StaffAlert::REASON_OUT_OF_SCOPE.to_string(),
        ),
        (
            a,
            "REASON_ROBOT_FAULT",
            StaffAlert::REASON_ROBOT_FAULT.to_string(),
        ),
        (g, "STATE_IDLE", GuideStatus::STATE_IDLE.to_string()),
        (
            g,
            "STATE_NAVIGATING",
            GuideStatus::STATE_NAVIGATING.to_string(),
        ),
        (g, "STATE_WAITING", GuideStatus::STATE_WAITING.to_string()),
        (g, "STATE_ARRIVED", GuideStatus::STATE_ARRIVED.to_string()),
        (g, "STATE_FAILED", GuideStatus::STATE_FAILED.to_string()),
        (g, "STATE_CANCELED", GuideStatus::STATE_CANCELED.to_string()),
        (g, "ERROR_NONE", GuideStatus::ERROR_NONE.to_string()),
        (
            g,
            "ERROR_UNKNOWN_PLACE",
            GuideStatus::ERROR_UNKNOWN_PLACE.to_string(),
        ),
        (g, "ERROR_NO_PATH", GuideStatus::ERROR_NO_PATH.to_string()),
        (g, "ERROR_TIMEOUT", GuideStatus::ERROR_TIMEOUT.to_string()),
        (g, "ERROR_ESTOP", GuideStatus::ERROR_ESTOP.to_string()),
        (g, "WAIT_NONE", GuideStatus::WAIT_NONE.to_string()),
        (
            g,
            "WAIT_GUIDED_PERSON",
            GuideStatus::WAIT_GUIDED_PERSON.to_string(),
        ),
        (g, "WAIT_ESTOP", GuideStatus::WAIT_ESTOP.to_string()),
        (g, "WAIT_TELEOP", GuideStatus::WAIT_TELEOP.to_string()),
        (g, "WAIT_PEOPLE", GuideStatus::WAIT_PEOPLE.to_string()),
    ]
    .into_iter()
    .chain(action_constants())
    .collect()
}

fn action_constants() -> Vec<(&'static str, &'static str, String)> {
    let s = "action_msgs/msg/GoalStatus";
    let c = "action_msgs/srv/CancelGoal_Response";
    let n = "nav2_msgs/action/NavigateToPose_Result";
    vec![
        (s, "STATUS_UNKNOWN", GoalStatus::STATUS_UNKNOWN.to_string()),
        (
            s,
            "STATUS_ACCEPTED",
            GoalStatus::STATUS_ACCEPTED.to_string(),
        ),
        (
            s,
            "STATUS_EXECUTING",
            GoalStatus::STATUS_EXECUTING.to_string(),
        ),
        (
            s,
            "STATUS_CANCELING",
            GoalStatus::STATUS_CANCELING.to_string(),
        ),
        (
            s,
            "STATUS_SUCCEEDED",
            GoalStatus::STATUS_SUCCEEDED.to_string(),
        ),
        (
            s,
            "STATUS_CANCELED",
            GoalStatus::STATUS_CANCELED.to_string(),
        ),
        (s, "STATUS_ABORTED", GoalStatus::STATUS_ABORTED.to_string()),
        (c, "ERROR_NONE", CancelGoalResponse::ERROR_NONE.to_string()),
        (
            c,
            "ERROR_REJECTED",
            CancelGoalResponse::ERROR_REJECTED.to_string(),
        ),
        (
            c,
            "ERROR_UNKNOWN_GOAL_ID",
            CancelGoalResponse::ERROR_UNKNOWN_GOAL_ID.to_string(),
        ),
        (
            c,
            "ERROR_GOAL_TERMINATED",
            CancelGoalResponse::ERROR_GOAL_TERMINATED.to_string(),
        ),
        (n, "NONE", NavigateToPoseResult::NONE.to_string()),
        (n, "UNKNOWN", NavigateToPoseResult::UNKNOWN.to_string()),
        (
            n,
            "FAILED_TO_LOAD_BEHAVIOR_TREE",
            NavigateToPoseResult::FAILED_TO_LOAD_BEHAVIOR_TREE.to_string(),
        ),
        (n, "TF_ERROR", NavigateToPoseResult::TF_ERROR.to_string()),
    ]
}

#[test]
fn constants_match_their_definition_files() {
    let defs = Defs::load();
    let in_files: BTreeSet<(String, String, String)> = defs
        .defs
        .iter()
        .flat_map(|(ty, def)| {
            def.constants
                .iter()
                .map(move |c| (ty.clone(), c.name.clone(), c.value.clone()))
        })
        .collect();
    let in_rust: BTreeSet<(String, String, String)> = rust_constants()
        .into_iter()
        .map(|(t, n, v)| (t.to_string(), n.to_string(), v))
        .collect();
    let missing: Vec<_> = in_files.difference(&in_rust).collect();
    let extra: Vec<_> = in_rust.difference(&in_files).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "in files only: {missing:?}\nin Rust only: {extra:?}"
    );
}

#[test]
fn the_parser_reads_what_ros_writes() {
    use common::{parse_msg, Ty};
    let def = parse_msg(
        "# comment\nstd_msgs/Header header # trailing\nuint8 A=3 # c\nstring S=\"a # b\"\nfloat64[36] cov\nPoint[] pts\nstring<=8[<=4] names\nfloat64 w 1\n",
        "geometry_msgs",
    )
    .expect("parse");
    let names: Vec<&str> = def.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["header", "cov", "pts", "names", "w"]);
    assert_eq!(
        def.fields[0].ty,
        Ty::Msg("std_msgs".into(), "Header".into())
    );
    assert_eq!(
        def.fields[1].ty,
        Ty::Array(Box::new(Ty::Prim("float64".into())), 36)
    );
    assert_eq!(
        def.fields[2].ty,
        Ty::Seq(Box::new(Ty::Msg("geometry_msgs".into(), "Point".into())))
    );
    assert_eq!(def.fields[3].ty, Ty::Seq(Box::new(Ty::Str)));
    assert_eq!(def.constants[0].value, "3");
    assert_eq!(def.constants[1].value, "a # b");
    assert!(
        parse_msg("Header header\n", "hri_msgs").is_err(),
        "ROS 1 Header"
    );
    assert!(parse_msg("float64 BadName\n", "x").is_err());
    assert!(parse_msg("float64[x] a\n", "x").is_err());
}
