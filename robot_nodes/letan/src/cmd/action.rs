//! `letan action list|send_goal`: like `ros2 action`, against any ROS 2 graph on the domain.
//!
//! `letan action send_goal /navigate_to_pose nav2_msgs/action/NavigateToPose '{pose: {header:
//! {frame_id: map}, pose: {position: {x: 1.0}}}}' --feedback` waits for the server (at most
//! `--timeout`), sends the goal, prints feedback and the result, and exits 0 only if the goal
//! SUCCEEDED. Ctrl-C (or `--result-timeout`) cancels the goal first. The action type and the YAML
//! are checked before anything goes on the network.
use anyhow::{anyhow, bail, Context as _, Result};
use clap::{Args as ClapArgs, Subcommand};
use letan_msgs::{known_actions, visit_action, ActionVisitor, RosActionType};
use letan_transport::action::{GoalOutcome, Status};
use letan_transport::{Context, Node};
use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::time::Duration;

/// Send goals to ROS 2 actions and list them (like `ros2 action`).
#[derive(ClapArgs)]
#[command(about = "Send goals to ROS 2 actions and list them (like `ros2 action`).")]
pub struct Args {
    #[command(subcommand)]
    command: ActionCommand,
}

#[derive(Subcommand)]
enum ActionCommand {
    /// List the actions on the graph.
    List {
        /// Show each action's type.
        #[arg(short = 't', long)]
        show_types: bool,
        /// Seconds to wait for discovery.
        #[arg(long, default_value_t = 2.0)]
        wait: f64,
    },
    /// Send a goal and print its result (exit status 0 only if it SUCCEEDED). Ctrl-C cancels it.
    #[command(name = "send_goal", alias = "send-goal")]
    SendGoal {
        /// The action, e.g. /navigate_to_pose.
        action_name: String,
        /// The action type, e.g. nav2_msgs/action/NavigateToPose.
        action_type: String,
        /// The goal as YAML (partial: missing fields keep their defaults).
        #[arg(default_value = "{}")]
        goal: String,
        /// Print the feedback as it arrives.
        #[arg(short = 'f', long)]
        feedback: bool,
        /// Seconds to wait for the server to be discovered, and for each of its answers.
        #[arg(long, default_value_t = 10.0)]
        timeout: f64,
        /// Seconds to wait for the result (default: no limit); then the goal is canceled.
        #[arg(long)]
        result_timeout: Option<f64>,
    },
}

fn secs(s: f64, what: &str) -> Result<Duration> {
    if !(s.is_finite() && (0.0..1e7).contains(&s)) {
        bail!("{what} must be a number of seconds ≥ 0, got {s}");
    }
    Ok(Duration::from_secs_f64(s))
}

fn unknown_action(name: &str) -> anyhow::Error {
    anyhow!(
        "unknown action type {name:?}. letan knows: {}",
        known_actions().join(", ")
    )
}

/// The lines of a YAML document, indented by two spaces (as `ros2 action` prints messages).
fn indented(yaml: &str) -> String {
    yaml.lines().map(|l| format!("  {l}\n")).collect::<String>()
}

pub fn run(args: Args) -> Result<()> {
    match args.command {
        ActionCommand::List { show_types, wait } => {
            let wait = secs(wait, "--wait")?;
            crate::cmd::topic::runtime()?.block_on(async move {
                let ctx = Context::dds_from_env().context("joining the ROS 2 domain")?;
                for a in ctx.actions(wait).await {
                    if show_types {
                        println!("{} [{}]", a.name, a.types.join(", "));
                    } else {
                        println!("{}", a.name);
                    }
                }
                Ok(())
            })
        }
        ActionCommand::SendGoal {
            action_name,
            action_type,
            goal,
            feedback,
            timeout,
            result_timeout,
        } => {
            let job = SendGoal {
                action: action_name,
                yaml: goal,
                feedback,
                timeout: secs(timeout, "--timeout")?,
                result_timeout: result_timeout
                    .map(|s| secs(s, "--result-timeout"))
                    .transpose()?,
            };
            // Parses the YAML for the named type; a bad type or bad YAML fails here, offline.
            let prepared =
                visit_action(&action_type, job).ok_or_else(|| unknown_action(&action_type))??;
            crate::cmd::topic::runtime()?.block_on(async move {
                let ctx = Context::dds_from_env().context("joining the ROS 2 domain")?;
                let node = ctx
                    .node(&format!("letan_action_{}", std::process::id()), "/")
                    .context("creating the CLI node")?;
                let mut out = std::io::stdout();
                prepared(node, &mut out).await
            })
        }
    }
}

/// What `send_goal` asked for, before the type is known.
struct SendGoal {
    action: String,
    yaml: String,
    feedback: bool,
    timeout: Duration,
    result_timeout: Option<Duration>,
}

type Job = Box<
    dyn for<'a> FnOnce(Node, &'a mut dyn Write) -> Pin<Box<dyn Future<Output = Result<()>> + 'a>>,
>;

impl ActionVisitor for SendGoal {
    type Output = Result<Job>;
    fn visit<A: RosActionType>(self) -> Self::Output {
        let goal: A::Goal = crate::cmd::topic::from_yaml(&self.yaml)?;
        Ok(Box::new(move |node, out| {
            Box::pin(async move { send_goal::<A>(&node, self, goal, out).await })
        }))
    }
}

async fn send_goal<A: RosActionType>(
    node: &Node,
    job: SendGoal,
    goal: A::Goal,
    out: &mut dyn Write,
) -> Result<()> {
    let name = node.resolve(&job.action)?;
    let client = node.action_client::<A>(&name)?;
    writeln!(out, "Waiting for an action server to become available...")?;
    client.wait_for_server(job.timeout).await.map_err(|_| {
        anyhow!(
            "no {} server on {name} within {:.1} s (is it running, with the same ROS_DOMAIN_ID?)",
            A::type_name(),
            job.timeout.as_secs_f64()
        )
    })?;
    writeln!(
        out,
        "Sending goal:\n{}",
        indented(&crate::cmd::topic::to_yaml(&goal, 32)?)
    )?;
    let handle = match client.send_goal(goal, job.timeout).await? {
        Some(h) => h,
        None => {
            writeln!(out, "Goal was rejected.")?;
            bail!("the goal was rejected by {name}");
        }
    };
    writeln!(
        out,
        "Goal accepted with ID: {}\n",
        handle.goal_id().to_hex()
    )?;
    let result = handle.get_result(job.result_timeout.unwrap_or(Duration::MAX));
    tokio::pin!(result);
    let mut feedback = job.feedback;
    let why_cancel = loop {
        tokio::select! {
            // Feedback that is already queued is printed before the result that followed it.
            biased;
            f = handle.next_feedback(), if feedback => match f {
                Some(f) => writeln!(out, "Feedback:\n{}", indented(&crate::cmd::topic::to_yaml(&f, 32)?))?,
                None => feedback = false,
            },
            r = &mut result => match r {
                Ok(r) => {
                    writeln!(out, "Result:\n{}", indented(&crate::cmd::topic::to_yaml(&r.result, 32)?))?;
                    let status = Status::status_name(r.status);
                    writeln!(out, "Goal finished with status: {status}")?;
                    if r.outcome() == Some(GoalOutcome::Succeeded) {
                        return Ok(());
                    }
                    bail!("the goal finished with status {status}");
                }
                Err(letan_transport::TransportError::ActionTimeout { .. }) => {
                    break "no result within --result-timeout";
                }
                Err(e) => return Err(e.into()),
            },
            _ = letan_transport::shutdown_signal() => break "interrupted",
        }
    };
    writeln!(out, "Canceling goal ({why_cancel})...")?;
    let c = handle.cancel(job.timeout).await?;
    match c.return_code {
        letan_msgs::action_msgs::CancelGoalResponse::ERROR_NONE => writeln!(out, "Goal canceled.")?,
        code => writeln!(out, "The server refused to cancel the goal (code {code}).")?,
    }
    bail!("{why_cancel}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use clap::Parser;
    use letan_msgs::nav2_msgs::{NavigateToPose, NavigateToPoseFeedback, NavigateToPoseResult};

    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        command: ActionCommand,
    }

    fn job(yaml: &str, result_timeout: Option<Duration>) -> SendGoal {
        SendGoal {
            action: "/navigate_to_pose".into(),
            yaml: yaml.into(),
            feedback: true,
            timeout: Duration::from_secs(2),
            result_timeout,
        }
    }

    #[test]
    fn parses_like_ros2_action() {
        let cli = Cli::try_parse_from([
            "x",
            "send_goal",
            "/navigate_to_pose",
            "nav2_msgs/action/NavigateToPose",
            "{pose: {pose: {position: {x: 1.0}}}}",
            "--feedback",
            "--timeout",
            "3",
        ])
        .unwrap();
        let ActionCommand::SendGoal {
            feedback, timeout, ..
        } = cli.command
        else {
            panic!("not send_goal");
        };
        assert!(feedback);
        assert_eq!(timeout, 3.0);
        assert!(Cli::try_parse_from(["x", "send-goal", "/a", "t"]).is_ok());
        assert!(Cli::try_parse_from(["x", "list", "-t"]).is_ok());
        assert!(Cli::try_parse_from(["x", "send_goal", "/a"]).is_err());
    }

    #[test]
    fn unknown_types_and_bad_yaml_fail_before_the_network() {
        let e = visit_action("nav2_msgs/action/Nope", job("{}", None))
            .ok_or_else(|| unknown_action("nav2_msgs/action/Nope"))
            .err()
            .unwrap();
        assert!(
            e.to_string().contains("nav2_msgs/action/NavigateToPose"),
            "{e}"
        );
        let bad = visit_action(
            "nav2_msgs/action/NavigateToPose",
            job("{pose: {posee: 1}}", None),
        )
        .unwrap()
        .err()
        .unwrap();
        assert!(format!("{bad:#}").contains("posee"), "{bad:#}");
        let bad = visit_action("nav2_msgs/action/NavigateToPose", job("{pose: [", None))
            .unwrap()
            .err()
            .unwrap();
        assert!(format!("{bad:#}").contains("not valid YAML"), "{bad:#}");
        assert!(secs(-1.0, "--timeout").is_err());
        assert!(secs(f64::NAN, "--timeout").is_err());
    }

    async fn serve(ctx: &Context, finish_with: Option<GoalOutcome>) -> tokio::task::JoinHandle<()> {
        let server = ctx
            .node("nav", "/")
            .unwrap()
            .action_server::<NavigateToPose>("/navigate_to_pose")
            .unwrap();
        tokio::spawn(async move {
            let node_alive = server;
            loop {
                tokio::select! {
                    Some(req) = node_alive.recv_goal() => {
                        if req.goal().pose.pose.position.x < 0.0 {
                            req.reject().unwrap();
                            continue;
                        }
                        let id = req.goal_id();
                        req.accept().unwrap();
                        node_alive.publish_feedback(id, NavigateToPoseFeedback {
                            distance_remaining: 1.5,
                            ..Default::default()
                        }).unwrap();
                        if let Some(outcome) = finish_with {
                            node_alive.finish(id, outcome, NavigateToPoseResult {
                                error_code: 0,
                                error_msg: "done".into(),
                            }).unwrap();
                        }
                    }
                    Some(cancel) = node_alive.recv_cancel() => {
                        for id in cancel.accept_all().unwrap() {
                            node_alive.finish(id, GoalOutcome::Canceled, Default::default()).unwrap();
                        }
                    }
                }
            }
        })
    }

    async fn send(ctx: &Context, yaml: &str, rt: Option<Duration>) -> (Result<()>, String) {
        let node = ctx.node("cli", "/").unwrap();
        let job = visit_action("nav2_msgs/NavigateToPose", job(yaml, rt))
            .unwrap()
            .unwrap();
        let mut out = Vec::new();
        let r = job(node, &mut out).await;
        (r, String::from_utf8(out).unwrap())
    }

    #[tokio::test]
    async fn sends_a_goal_and_prints_feedback_and_result() {
        let ctx = Context::bus();
        let server = serve(&ctx, Some(GoalOutcome::Succeeded)).await;
        let (r, out) = send(
            &ctx,
            "{pose: {header: {frame_id: map}, pose: {position: {x: 2.0}}}}",
            None,
        )
        .await;
        r.unwrap();
        assert!(out.contains("Sending goal:\n  pose:\n    header:"), "{out}");
        assert!(out.contains("frame_id: map"), "{out}");
        assert!(out.contains("Goal accepted with ID: "), "{out}");
        assert!(out.contains("Feedback:\n"), "{out}");
        assert!(out.contains("distance_remaining: 1.5"), "{out}");
        assert!(
            out.contains("Result:\n  error_code: 0\n  error_msg: done"),
            "{out}"
        );
        assert!(
            out.ends_with("Goal finished with status: SUCCEEDED\n"),
            "{out}"
        );
        server.abort();
    }

    #[tokio::test]
    async fn failures_exit_non_zero_with_a_clear_message() {
        let ctx = Context::bus();
        // No server: a bounded wait, then a message that names the action.
        let (r, _) = send(&ctx, "{}", None).await;
        let e = r.unwrap_err().to_string();
        assert!(
            e.contains("no nav2_msgs/action/NavigateToPose server on /navigate_to_pose"),
            "{e}"
        );

        let server = serve(&ctx, Some(GoalOutcome::Aborted)).await;
        let (r, out) = send(&ctx, "{pose: {pose: {position: {x: -1.0}}}}", None).await;
        assert!(r.unwrap_err().to_string().contains("rejected"));
        assert!(out.contains("Goal was rejected."), "{out}");

        let (r, out) = send(&ctx, "{}", None).await;
        assert!(r.unwrap_err().to_string().contains("ABORTED"));
        assert!(out.contains("Goal finished with status: ABORTED"), "{out}");
        server.abort();
    }

    #[tokio::test]
    async fn a_result_timeout_cancels_the_goal() {
        let ctx = Context::bus();
        let server = serve(&ctx, None).await;
        let (r, out) = send(&ctx, "{}", Some(Duration::from_millis(100))).await;
        assert!(r.unwrap_err().to_string().contains("--result-timeout"));
        assert!(
            out.contains("Canceling goal (no result within --result-timeout)...\nGoal canceled."),
            "{out}"
        );
        server.abort();
    }
}
