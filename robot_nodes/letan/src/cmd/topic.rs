//! `letan topic list|echo|pub|hz`: like `ros2 topic`, against any ROS 2 graph on the domain.
#![allow(clippy::disallowed_methods)] // the command line's edge: it times, paces and rates in wall time
use anyhow::{anyhow, bail, Context as _, Result};
use clap::{Args as ClapArgs, Subcommand};
use letan_msgs::{known_types, visit_type, RosMessage, TypeVisitor};
use letan_transport::{graph::TopicInfo, Context, Node, Qos};
use std::time::{Duration, Instant};

#[derive(ClapArgs)]
pub struct Args {
    #[command(subcommand)]
    command: TopicCommand,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum QosChoice {
    /// Best effort for ordinary topics (matches every publisher); reliable + transient local for
    /// latched ones (/map, /tf_static, …) so the last sample arrives.
    Auto,
    Sensor,
    Reliable,
    Latched,
}

#[derive(Subcommand)]
enum TopicCommand {
    /// List the topics on the graph.
    List {
        /// Show each topic's type.
        #[arg(short = 't', long)]
        show_types: bool,
        /// Seconds to wait for discovery.
        #[arg(long, default_value_t = 2.0)]
        wait: f64,
    },
    /// Print messages of a topic as YAML.
    Echo {
        topic: String,
        /// The message type (pkg/msg/Name); found by discovery when omitted.
        #[arg(long = "type")]
        type_name: Option<String>,
        /// Exit after the first message.
        #[arg(long)]
        once: bool,
        /// Seconds to wait for the topic to be discovered and, with --once, for a message.
        #[arg(long, default_value_t = 10.0)]
        timeout: f64,
        /// Longest array printed in full; longer ones are cut with a count (0: no limit).
        #[arg(long, default_value_t = 32)]
        max_array: usize,
        #[arg(long, value_enum, default_value_t = QosChoice::Auto)]
        qos: QosChoice,
    },
    /// Publish a message given as YAML (partial: missing fields keep their defaults).
    Pub {
        topic: String,
        /// The message type, e.g. geometry_msgs/msg/Twist.
        type_name: String,
        /// The message, e.g. '{linear: {x: 0.2}, angular: {z: 0.5}}'.
        #[arg(default_value = "{}")]
        values: String,
        /// Publishing rate in Hz.
        #[arg(short = 'r', long, default_value_t = 1.0)]
        rate: f64,
        /// Publish one message and exit.
        #[arg(short = '1', long)]
        once: bool,
        /// Publish this many messages and exit.
        #[arg(short = 't', long)]
        times: Option<u64>,
        /// Seconds to wait for a subscriber before publishing (with --once or --times).
        #[arg(long, default_value_t = 2.0)]
        wait_matching: f64,
        /// With --once or --times: after the last message, stay up to this many seconds until
        /// every reliable reader has acknowledged it (a reader that discovers us late still gets it).
        #[arg(long, default_value_t = 5.0)]
        keep_alive: f64,
        #[arg(long, value_enum, default_value_t = QosChoice::Auto)]
        qos: QosChoice,
    },
    /// Print the publishing rate of a topic.
    Hz {
        topic: String,
        /// Number of intervals averaged.
        #[arg(short = 'w', long, default_value_t = 100)]
        window: usize,
        /// Stop after this many seconds (default: until Ctrl-C).
        #[arg(long)]
        duration: Option<f64>,
        /// Seconds to wait for the topic to be discovered.
        #[arg(long, default_value_t = 10.0)]
        timeout: f64,
    },
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    letan_transport::node_runtime().context("starting the async runtime")
}

fn secs(s: f64, what: &str) -> Result<Duration> {
    if !(s.is_finite() && (0.0..1e7).contains(&s)) {
        bail!("{what} must be a number of seconds ≥ 0, got {s}");
    }
    Ok(Duration::from_secs_f64(s))
}

const LATCHED_TOPICS: &[&str] = &[
    "/map",
    "/tf_static",
    "/map_metadata",
    "/robot_description",
    "/places",
];

fn qos_for(choice: QosChoice, topic: &str, publishing: bool) -> Qos {
    match choice {
        QosChoice::Sensor => Qos::sensor_data(),
        QosChoice::Reliable => Qos::commands(),
        QosChoice::Latched => Qos::latched(),
        QosChoice::Auto if LATCHED_TOPICS.contains(&topic) => Qos::latched(),
        // A reliable writer serves both reliable and best-effort readers; a best-effort reader
        // matches both kinds of writer.
        QosChoice::Auto if publishing => Qos::commands(),
        QosChoice::Auto => Qos::sensor_data().with_depth(100),
    }
}

pub fn run(args: Args) -> Result<()> {
    let rt = runtime()?;
    rt.block_on(async move {
        let ctx = Context::dds_from_env().context("joining the ROS 2 domain")?;
        let node = ctx
            .node(&format!("letan_topic_{}", std::process::id()), "/")
            .context("creating the CLI node")?;
        match args.command {
            TopicCommand::List { show_types, wait } => {
                let topics = ctx.topics(secs(wait, "--wait")?).await;
                for t in topics {
                    if show_types {
                        println!("{} [{}]", t.name, t.types.join(", "));
                    } else {
                        println!("{}", t.name);
                    }
                }
                Ok(())
            }
            TopicCommand::Echo {
                topic,
                type_name,
                once,
                timeout,
                max_array,
                qos,
            } => {
                let topic = node.resolve(&topic)?;
                let timeout = secs(timeout, "--timeout")?;
                let type_name = match type_name {
                    Some(t) => t,
                    None => discover_type(&ctx, &topic, timeout).await?.types[0].clone(),
                };
                let visitor = Echo {
                    node: &node,
                    topic: &topic,
                    once,
                    timeout,
                    max_array,
                    qos: qos_for(qos, &topic, false),
                };
                let fut =
                    visit_type(&type_name, visitor).ok_or_else(|| unknown_type(&type_name))?;
                tokio::select! {
                    r = fut => r,
                    _ = letan_transport::shutdown_signal() => Ok(()),
                }
            }
            TopicCommand::Pub {
                topic,
                type_name,
                values,
                rate,
                once,
                times,
                wait_matching,
                keep_alive,
                qos,
            } => {
                if !(rate.is_finite() && rate > 0.0 && rate <= 10_000.0) {
                    bail!("--rate must be in (0, 10000] Hz, got {rate}");
                }
                let topic = node.resolve(&topic)?;
                let count = if once { Some(1) } else { times };
                let visitor = Pub {
                    node: &node,
                    topic: &topic,
                    yaml: &values,
                    rate,
                    count,
                    wait: secs(wait_matching, "--wait-matching")?,
                    keep_alive: secs(keep_alive, "--keep-alive")?,
                    qos: qos_for(qos, &topic, true),
                };
                let fut =
                    visit_type(&type_name, visitor).ok_or_else(|| unknown_type(&type_name))?;
                tokio::select! {
                    r = fut => r,
                    _ = letan_transport::shutdown_signal() => Ok(()),
                }
            }
            TopicCommand::Hz {
                topic,
                window,
                duration,
                timeout,
            } => {
                let topic = node.resolve(&topic)?;
                let info = discover_type(&ctx, &topic, secs(timeout, "--timeout")?).await?;
                let duration = duration.map(|d| secs(d, "--duration")).transpose()?;
                tokio::select! {
                    r = hz(&node, &info, window.max(2), duration) => r,
                    _ = letan_transport::shutdown_signal() => Ok(()),
                }
            }
        }
    })
}

fn unknown_type(name: &str) -> anyhow::Error {
    anyhow!(
        "unknown message type {name:?}. letan knows: {}",
        known_types().join(", ")
    )
}

async fn discover_type(ctx: &Context, topic: &str, timeout: Duration) -> Result<TopicInfo> {
    let start = Instant::now();
    loop {
        let step = Duration::from_millis(250);
        let topics = ctx.topics(step).await;
        if let Some(t) = topics.iter().find(|t| t.name == topic) {
            if !t.types.is_empty() {
                return Ok(t.clone());
            }
        }
        if start.elapsed() >= timeout {
            let names: Vec<_> = topics.iter().map(|t| t.name.as_str()).collect();
            bail!(
                "topic {topic} was not seen on the graph within {:.1} s (known: {}). \
                 Pass --type to subscribe before it appears, or check ROS_DOMAIN_ID.",
                timeout.as_secs_f64(),
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            );
        }
    }
}

/// Cut long arrays so that an Image or a LaserScan prints as something a person can read.
fn truncate_arrays(v: &mut serde_yaml::Value, max: usize) {
    use serde_yaml::Value;
    match v {
        Value::Sequence(seq) => {
            if max > 0 && seq.len() > max {
                let more = seq.len() - max;
                seq.truncate(max);
                seq.push(Value::String(format!("... ({more} more)")));
            }
            for x in seq {
                truncate_arrays(x, max);
            }
        }
        Value::Mapping(m) => {
            for (_, x) in m.iter_mut() {
                truncate_arrays(x, max);
            }
        }
        _ => {}
    }
}

pub(crate) fn to_yaml<M: serde::Serialize>(msg: &M, max_array: usize) -> Result<String> {
    let mut v = serde_yaml::to_value(msg).context("converting the message to YAML")?;
    truncate_arrays(&mut v, max_array);
    serde_yaml::to_string(&v).context("printing YAML")
}

struct Echo<'a> {
    node: &'a Node,
    topic: &'a str,
    once: bool,
    timeout: Duration,
    max_array: usize,
    qos: Qos,
}

impl<'a> TypeVisitor for Echo<'a> {
    type Output = std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + 'a>>;
    fn visit<M: RosMessage>(self) -> Self::Output {
        Box::pin(async move {
            let sub = self.node.subscribe::<M>(self.topic, self.qos)?;
            loop {
                let msg = if self.once {
                    tokio::time::timeout(self.timeout, sub.recv())
                        .await
                        .map_err(|_| {
                            anyhow!(
                                "no message on {} within {:.1} s",
                                self.topic,
                                self.timeout.as_secs_f64()
                            )
                        })?
                } else {
                    sub.recv().await
                };
                let Some(msg) = msg else { return Ok(()) };
                print!("{}", to_yaml(&msg, self.max_array)?);
                println!("---");
                if self.once {
                    return Ok(());
                }
            }
        })
    }
}

/// How long `topic pub --once`/`--times` waits after its writer has matched a reader before the
/// first message, so that the reader's side of discovery (it matching our writer) can catch up.
const MATCH_SETTLE: Duration = Duration::from_millis(250);

struct Pub<'a> {
    node: &'a Node,
    topic: &'a str,
    yaml: &'a str,
    rate: f64,
    count: Option<u64>,
    wait: Duration,
    keep_alive: Duration,
    qos: Qos,
}

/// Parse a message from YAML: partial input keeps defaults, unknown keys are refused by name.
pub(crate) fn from_yaml<M: RosMessage>(yaml: &str) -> Result<M> {
    let value: serde_yaml::Value = serde_yaml::from_str(yaml)
        .with_context(|| format!("the message is not valid YAML: {yaml:?}"))?;
    let value = if value.is_null() {
        serde_yaml::Value::Mapping(Default::default())
    } else {
        value
    };
    serde_yaml::from_value(value)
        .with_context(|| format!("the YAML does not fit {}", M::type_name()))
}

impl<'a> TypeVisitor for Pub<'a> {
    type Output = std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + 'a>>;
    fn visit<M: RosMessage>(self) -> Self::Output {
        Box::pin(async move {
            let msg: M = from_yaml(self.yaml)?;
            // A counted run exits after its last message, so it uses a writer that can tell when its
            // readers have it; an endless run is an ordinary, graph-listed publisher.
            let publisher = if self.count.is_some() {
                self.node.acked_publisher::<M>(self.topic, self.qos)?
            } else {
                self.node.publisher::<M>(self.topic, self.qos)?
            };
            if self.count.is_some() {
                // Give discovery a chance so that a one-shot message has a reader to reach: a reader
                // matched to this writer, not merely seen on the topic.
                let start = Instant::now();
                let matched = || -> Result<bool> {
                    Ok(match publisher.matched_readers() {
                        Some(n) => n > 0,
                        None => self.node.subscriber_count(self.topic)? > 0,
                    })
                };
                while !matched()? && start.elapsed() < self.wait {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                if matched()? {
                    // Our writer matching their reader is half of discovery: the reader may not
                    // know our writer yet. A volatile reader of another vendor's writer (Cyclone
                    // DDS) starts at the newest sequence number of the first heartbeat it takes
                    // from us, so a message written before that heartbeat is acknowledged
                    // without being delivered. Give the reader time to match and sync first.
                    tokio::time::sleep(MATCH_SETTLE).await;
                } else {
                    eprintln!(
                        "warning: no subscriber of {} matched within --wait-matching {:.1} s; \
                         publishing anyway",
                        self.topic,
                        self.wait.as_secs_f64()
                    );
                }
            }
            println!(
                "publisher: beginning loop\npublishing #1: {}",
                M::type_name()
            );
            let mut interval = tokio::time::interval(Duration::from_secs_f64(1.0 / self.rate));
            let mut sent = 0u64;
            loop {
                interval.tick().await;
                publisher.publish(msg.clone())?;
                sent += 1;
                if self.count.is_some_and(|n| sent >= n) {
                    break;
                }
            }
            if self.count.is_some() && !publisher.wait_acknowledged(self.keep_alive).await? {
                eprintln!(
                    "warning: not every reader of {} acknowledged within --keep-alive {:.1} s; \
                     a reader may have missed the message",
                    self.topic,
                    self.keep_alive.as_secs_f64()
                );
            }
            Ok(())
        })
    }
}

async fn hz(
    node: &Node,
    info: &TopicInfo,
    window: usize,
    duration: Option<Duration>,
) -> Result<()> {
    let dds_type = info
        .dds_types
        .first()
        .ok_or_else(|| anyhow!("{} has no discovered DDS type", info.name))?;
    let sub = node.subscribe_opaque(&info.name, dds_type, Qos::sensor_data().with_depth(1000))?;
    let start = Instant::now();
    let mut arrivals: std::collections::VecDeque<Instant> = std::collections::VecDeque::new();
    let mut report = tokio::time::interval(Duration::from_secs(1));
    report.tick().await;
    loop {
        tokio::select! {
            m = sub.recv() => {
                if m.is_none() { return Ok(()); }
                arrivals.push_back(Instant::now());
                while arrivals.len() > window + 1 { arrivals.pop_front(); }
            }
            _ = report.tick() => {
                match rate_stats(&arrivals) {
                    Some(s) => println!(
                        "average rate: {:.3}\n\tmin: {:.3}s max: {:.3}s std dev: {:.5}s window: {}",
                        s.rate, s.min, s.max, s.std_dev, s.n
                    ),
                    None => println!("no new messages"),
                }
                if duration.is_some_and(|d| start.elapsed() >= d) { return Ok(()); }
            }
        }
    }
}

pub(crate) struct RateStats {
    pub rate: f64,
    pub min: f64,
    pub max: f64,
    pub std_dev: f64,
    pub n: usize,
}

pub(crate) fn rate_stats(arrivals: &std::collections::VecDeque<Instant>) -> Option<RateStats> {
    if arrivals.len() < 2 {
        return None;
    }
    let gaps: Vec<f64> = arrivals
        .iter()
        .zip(arrivals.iter().skip(1))
        .map(|(a, b)| b.duration_since(*a).as_secs_f64())
        .collect();
    let n = gaps.len();
    let mean = gaps.iter().sum::<f64>() / n as f64;
    let var = gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / n as f64;
    Some(RateStats {
        rate: if mean > 0.0 {
            1.0 / mean
        } else {
            f64::INFINITY
        },
        min: gaps.iter().cloned().fold(f64::INFINITY, f64::min),
        max: gaps.iter().cloned().fold(0.0, f64::max),
        std_dev: var.sqrt(),
        n,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use letan_msgs::geometry_msgs::Twist;

    #[test]
    fn partial_yaml_fills_defaults_and_typos_are_refused() {
        let t: Twist = from_yaml("{linear: {x: 0.2}, angular: {z: -0.5}}").unwrap();
        assert_eq!((t.linear.x, t.linear.y, t.angular.z), (0.2, 0.0, -0.5));
        let t: Twist = from_yaml("").unwrap();
        assert_eq!(t, Twist::default());
        let e = format!("{:#}", from_yaml::<Twist>("{linear: {xx: 1}}").unwrap_err());
        assert!(e.contains("xx"), "{e}");
        assert!(from_yaml::<Twist>("{linear: [").is_err());
        assert!(from_yaml::<Twist>("{linear: {x: fast}}").is_err());
    }

    #[test]
    fn long_arrays_are_cut_with_a_count() {
        let mut v: serde_yaml::Value =
            serde_yaml::from_str("{a: [1,2,3,4,5], b: {c: [1,2]}}").unwrap();
        truncate_arrays(&mut v, 3);
        let s = serde_yaml::to_string(&v).unwrap();
        assert!(s.contains("... (2 more)"), "{s}");
        assert!(!s.contains("- 4"), "{s}");
    }

    #[test]
    fn rate_statistics_from_arrivals() {
        let t0 = Instant::now();
        let arrivals: std::collections::VecDeque<Instant> = (0..11)
            .map(|i| t0 + Duration::from_millis(100 * i))
            .collect();
        let s = rate_stats(&arrivals).unwrap();
        assert!((s.rate - 10.0).abs() < 1e-6);
        assert_eq!(s.n, 10);
        assert!(s.std_dev < 1e-9);
        assert!(rate_stats(&arrivals.iter().take(1).cloned().collect()).is_none());
    }

    #[test]
    fn latched_topics_get_transient_local() {
        assert_eq!(qos_for(QosChoice::Auto, "/map", false), Qos::latched());
        assert_eq!(
            qos_for(QosChoice::Auto, "/scan", false).reliability,
            letan_transport::Reliability::BestEffort
        );
        assert_eq!(qos_for(QosChoice::Auto, "/cmd_vel", true), Qos::commands());
    }
}
