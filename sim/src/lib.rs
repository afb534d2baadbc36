//! letan-sim: a headless, deterministic simulator of the Letan lobby.
//!
//! `World::step(dt, inputs) -> outputs` is a pure step function: the caller injects time and the
//! seed, nothing reads a clock, and the same seed gives the same run. A thin sim node (elsewhere)
//! publishes the outputs on `/clock`, `/odom`, `/tf`, `/scan`, `/camera/*`, audio/text and ground truth.
//!
//! - [`grid`]: walls from the lobby occupancy map (ray casting, distance field, box merging)
//! - [`robot`]: differential drive with limits and drifting wheel odometry
//! - [`lidar`], [`camera`]: sensors; the camera pastes real face photos at detector-correct sizes
//! - [`people`]: social-force visitors with scripted plans
//! - [`crossers`]: people who cross the lobby without making way for the robot (a stress model)
//! - [`scenario`]: scenario files, expectations and the JSON report
//! - [`gazebo`]: SDF world generation for gz-sim

pub mod camera;
pub mod crossers;
pub mod error;
pub mod gazebo;
pub mod geom;
pub mod grid;
pub mod lidar;
pub mod lobby;
pub mod navfield;
pub mod people;
pub mod rng;
pub mod robot;
pub mod scenario;
pub mod story;
pub mod world;

pub use error::SimError;
pub use grid::Grid;
pub use world::{Inputs, Outputs, RobotAction, World, WorldConfig};
