//! `letan-launch`: ROS 2 YAML launch files, in the format `ros2 launch` reads, and a process supervisor.
//!
//! - [`plan`] evaluates a launch file — `arg`, `let`, `node`, `executable`, `include`, `group`,
//!   `push-ros-namespace`, `set_env`, `if`/`unless`, `$(…)` substitutions ([`subst`]) — into
//!   [`ProcessSpec`]s. Unknown keys are refused with the key and the file named. Nodes of package
//!   `letan` run as `letan run <exec> …` ([`letan_run_command`]); other packages are refused unless the
//!   `exec` is an absolute path or an `executable` with `cmd` is used.
//! - [`supervise`] runs the processes: `[label]` log prefixes, restart with exponential backoff
//!   ([`Backoff`]) when `respawn: true`, a clean stop (SIGINT to each process group, SIGKILL after a
//!   timeout) on the shutdown future, and the end of the launch when an `on_exit: shutdown` process exits.
//!
//! Clock reads stay in the supervisor shell; the backoff is pure and tested with given uptimes.

mod backoff;
mod command;
mod error;
mod model;
mod plan;
pub mod subst;
mod supervisor;

pub use backoff::{Backoff, BackoffPolicy};
pub use command::{letan_run_command, ros_command, shell_quote, RosNode};
pub use error::LaunchError;
pub use plan::{parse_cli_arg, plan, DeclaredArg, GeneratedFile, LaunchOptions, Plan, ProcessSpec};
pub use subst::{Host, SystemHost};
pub use supervisor::{supervise, Event, Outcome, Sink, Stream, SupervisorConfig};
