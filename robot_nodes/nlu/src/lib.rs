//! `letan-nlu`: understand what a citizen says to the reception robot.
//!
//! Pure: no file, network or clock access in the core. The knowledge base is parsed from text
//! ([`kb::Kb::parse`]); the files shipped in `kb/` are embedded ([`kb::Kb::embedded`]), and
//! [`kb::load_dir`] reads a directory for operators who edit it.
//!
//! ```
//! let nlu = letan_nlu::Nlu::embedded().unwrap();
//! let u = nlu.understand("Em dẫn bác ra quầy số bảy với");
//! assert_eq!(u.intent, "nav.guide");
//! assert_eq!(u.destination.as_deref(), Some("counter_7"));
//! ```

pub mod catalog;
pub mod classifier;
pub mod error;
pub mod eval;
pub mod input_method;
pub mod kb;
pub mod lang;
pub mod mention;
pub mod nav_words;
pub mod node;
pub mod normalize;
pub mod reply;
pub mod router;
pub mod slots;
pub mod vague;

pub use error::{KbIssue, NluError};
pub use kb::{Kb, Language};
pub use reply::{Detail, Reply, YesNo};
pub use router::{Answer, Nlu, NluConfig, ReloadOutcome, Reloader, Understanding};
