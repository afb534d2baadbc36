//! Roles per site and what each may do. No I/O.
use serde::{Deserialize, Serialize};

/// A role on one site (or on every site, `*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees robots, status, alerts and statistics.
    Viewer,
    /// A viewer who may also command robots (teleop, e-stop, say, go to).
    Operator,
    /// A viewer who may also upload, push and roll back knowledge bases.
    KbEditor,
    /// Everything, including accounts.
    Admin,
}

impl Role {
    /// Its name in storage and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::KbEditor => "kb_editor",
            Role::Admin => "admin",
        }
    }

    /// From its name.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "viewer" => Some(Role::Viewer),
            "operator" => Some(Role::Operator),
            "kb_editor" => Some(Role::KbEditor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Whether this role may do `action`.
    pub fn allows(self, action: Action) -> bool {
        match action {
            Action::View => true,
            Action::Command => matches!(self, Role::Operator | Role::Admin),
            Action::EditKb => matches!(self, Role::KbEditor | Role::Admin),
            Action::Admin => self == Role::Admin,
        }
    }
}

/// What a user wants to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    View,
    Command,
    EditKb,
    Admin,
}

/// One grant: a role on a site, or on every site with `*`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub site: String,
    pub role: Role,
}

/// Every grant of one user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grants(pub Vec<Grant>);

impl Grants {
    /// The roles that apply on `site`.
    fn on(&self, site: &str) -> impl Iterator<Item = Role> + '_ {
        let site = site.to_string();
        self.0
            .iter()
            .filter(move |g| g.site == "*" || g.site == site)
            .map(|g| g.role)
    }

    /// Whether any grant on `site` allows `action`.
    pub fn may(&self, site: &str, action: Action) -> bool {
        self.on(site).any(|r| r.allows(action))
    }

    /// The role to act under on `site` for `action` (the first that allows it).
    pub fn role_for(&self, site: &str, action: Action) -> Option<Role> {
        self.on(site).filter(|r| r.allows(action)).max()
    }

    /// Whether the user sees `site` at all.
    pub fn sees(&self, site: &str) -> bool {
        self.on(site).next().is_some()
    }
}

/// The robot's own check of a command: right site and robot, a role that allows commands, not
/// older than `max_age_ms` (nor from the future by more), and newer than the last one accepted.
pub fn robot_accepts(
    cmd: &crate::proto::Command,
    site: &str,
    robot: &str,
    now_ms: u64,
    last_id: u64,
    max_age_ms: u64,
) -> Result<(), String> {
    if cmd.site != site || cmd.robot != robot {
        return Err(format!(
            "command for {}/{}, this is {site}/{robot}",
            cmd.site, cmd.robot
        ));
    }
    if !cmd.role.allows(Action::Command) {
        return Err(format!("role {} may not command", cmd.role.as_str()));
    }
    if now_ms.abs_diff(cmd.ts_ms) > max_age_ms {
        return Err(format!(
            "command stamped {} ms from the robot's clock (allowed {max_age_ms})",
            now_ms.abs_diff(cmd.ts_ms)
        ));
    }
    if cmd.id <= last_id {
        return Err(format!("replayed command id {} (last {last_id})", cmd.id));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::{Command, CommandBody, PROTOCOL_VERSION};

    fn g(site: &str, role: Role) -> Grant {
        Grant {
            site: site.into(),
            role,
        }
    }

    #[test]
    fn roles_per_site() {
        let op_a = Grants(vec![g("a", Role::Operator)]);
        assert!(op_a.may("a", Action::Command));
        assert!(!op_a.may("b", Action::Command), "operator of a on b");
        assert!(!op_a.may("a", Action::EditKb));
        assert!(!op_a.sees("b"));
        let viewer = Grants(vec![g("*", Role::Viewer)]);
        assert!(viewer.sees("b") && !viewer.may("b", Action::Command));
        let ed = Grants(vec![g("*", Role::KbEditor), g("a", Role::Operator)]);
        assert!(ed.may("z", Action::EditKb) && ed.may("a", Action::Command));
        assert!(!ed.may("z", Action::Command));
        assert_eq!(ed.role_for("a", Action::Command), Some(Role::Operator));
        let admin = Grants(vec![g("*", Role::Admin)]);
        assert!(admin.may("q", Action::Admin) && admin.may("q", Action::Command));
        for r in [Role::Viewer, Role::Operator, Role::KbEditor, Role::Admin] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
    }

    #[test]
    fn robot_checks_site_role_age_and_replay() {
        let cmd = |role, id, ts| Command {
            v: PROTOCOL_VERSION,
            site: "a".into(),
            robot: "r".into(),
            id,
            ts_ms: ts,
            user: "u".into(),
            role,
            body: CommandBody::Estop { engage: true },
        };
        assert!(robot_accepts(&cmd(Role::Operator, 5, 1000), "a", "r", 1000, 4, 5000).is_ok());
        assert!(robot_accepts(&cmd(Role::Operator, 5, 1000), "b", "r", 1000, 4, 5000).is_err());
        assert!(robot_accepts(&cmd(Role::Operator, 5, 1000), "a", "x", 1000, 4, 5000).is_err());
        assert!(robot_accepts(&cmd(Role::Viewer, 5, 1000), "a", "r", 1000, 4, 5000).is_err());
        assert!(robot_accepts(&cmd(Role::KbEditor, 5, 1000), "a", "r", 1000, 4, 5000).is_err());
        assert!(
            robot_accepts(&cmd(Role::Operator, 4, 1000), "a", "r", 1000, 4, 5000)
                .expect_err("replay")
                .contains("replayed")
        );
        assert!(robot_accepts(&cmd(Role::Operator, 5, 1000), "a", "r", 9000, 4, 5000).is_err());
    }
}
