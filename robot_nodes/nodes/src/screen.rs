//! The citizen screen node: `letan-screen`'s touchscreen page, with its `ScreenLink` wired to the
//! dialog's topics. What the citizen types or taps becomes a transcript, so it reaches the dialog the
//! same way speech does (this is how the robot works with no speech model installed).
//!
//! | direction | topic | type | |
//! |---|---|---|---|
//! | in | `/dialog/screen` (transient local) | letan_interfaces/ScreenContent | title, answer, documents, QR, topic buttons |
//! | in | `/dialog/state` | letan_interfaces/DialogState | status line; a new conversation clears "staff called" |
//! | in | `/speech/transcript` (final) | letan_interfaces/Transcript | "you said …" |
//! | in | `/tts/status` | letan_interfaces/SpeechStatus | the robot is speaking |
//! | in | `/staff/alert` | letan_interfaces/StaffAlert | "a staff member is on the way" |
//! | out | `/speech/transcript` | letan_interfaces/Transcript | typed text (source `keyboard`); buttons (source `button`, text = intent id: a topic, `staff.handoff`, `chat.repeat`, `chat.language`; or `confirm.yes` / `confirm.no`, the yes/no buttons of a confirmation question) |
use crate::common::{start, NodeArgs, NodesError};
use letan_msgs::letan_interfaces::{
    DialogState, ScreenContent, SpeechStatus, StaffAlert, Transcript,
};
use letan_msgs::std_msgs::Header;
use letan_screen::{
    DialogState as ScreenDialog, Lang, RobotSide, ScreenInput, ScreenLink, ScreenParams,
    ScreenState, Suggestion,
};
use letan_transport::{Context, Node, Publisher, Qos, Subscriber};
use std::future::Future;
use std::time::Duration;

/// Longest text the screen shows from one message field (characters).
const MAX_FIELD_CHARS: usize = 4000;

fn clip(s: &str) -> String {
    s.chars().take(MAX_FIELD_CHARS).collect()
}

/// The screen's state for a `ScreenContent` message (what the dialog decided to show).
pub fn apply_content(state: &mut ScreenState, m: &ScreenContent) {
    if let Some(l) = Lang::parse(&m.language) {
        state.lang = l;
    }
    state.title = clip(&m.title);
    state.body = clip(&m.body);
    state.documents = m.documents.iter().take(30).map(|d| clip(d)).collect();
    state.qr_url = Some(m.qr_url.trim().to_string())
        .filter(|u| (u.starts_with("https://") || u.starts_with("http://")) && u.len() <= 512);
    state.suggestions = m
        .suggestion_ids
        .iter()
        .zip(&m.suggestion_labels)
        .take(12)
        .map(|(id, label)| Suggestion {
            id: id.chars().take(64).collect(),
            label: clip(label),
        })
        .collect();
    // A confirmation question: what was heard, and the yes/no buttons.
    state.confirm = m.confirm;
    if !m.heard.trim().is_empty() {
        state.heard = clip(m.heard.trim());
    }
}

/// The transcript an input becomes.
pub fn transcript_of(input: &ScreenInput, header: Header) -> Option<Transcript> {
    let button = |text: &str, lang: Lang| Transcript {
        header: header.clone(),
        text: text.to_string(),
        language: lang.code().to_string(),
        confidence: 1.0,
        is_final: true,
        source: "button".into(),
    };
    Some(match input {
        // The typed text decides its own language (a citizen may type English on a Vietnamese screen).
        ScreenInput::Typed { text, .. } => Transcript {
            header: header.clone(),
            text: text.clone(),
            language: String::new(),
            confidence: 1.0,
            is_final: true,
            source: Transcript::SOURCE_KEYBOARD.into(),
        },
        ScreenInput::Topic { id, lang } => button(id, *lang),
        ScreenInput::CallStaff { lang } => button("staff.handoff", *lang),
        ScreenInput::Repeat { lang } => button("chat.repeat", *lang),
        ScreenInput::Language { lang } => button("chat.language", *lang),
        ScreenInput::Confirm { yes: true, lang } => button(ScreenContent::CONFIRM_YES, *lang),
        ScreenInput::Confirm { yes: false, lang } => button(ScreenContent::CONFIRM_NO, *lang),
        _ => return None,
    })
}

struct Subs {
    content: Subscriber<ScreenContent>,
    dialog: Subscriber<DialogState>,
    transcript: Subscriber<Transcript>,
    tts: Subscriber<SpeechStatus>,
    alerts: Subscriber<StaffAlert>,
}

fn drain(s: &Subs, side: &RobotSide, last_person: &mut String) {
    let mut st = side.current();
    let before = st.clone();
    if let Some(c) = s.content.latest() {
        apply_content(&mut st, &c);
    }
    if let Some(d) = s.dialog.latest() {
        if let Some(x) = ScreenDialog::parse(&d.state) {
            st.dialog_state = x;
        }
        // A new conversation (or none) is not waiting for staff any more.
        if d.person_id != *last_person || d.state == DialogState::STATE_IDLE {
            if d.state != DialogState::STATE_HANDOVER {
                st.staff_called = false;
            }
            *last_person = d.person_id.clone();
        }
    }
    while let Some(t) = s.transcript.try_recv() {
        if t.is_final && !t.text.trim().is_empty() {
            st.heard = if t.source == "button" {
                String::new()
            } else {
                t.text.chars().take(500).collect()
            };
        }
    }
    while let Some(t) = s.tts.try_recv() {
        st.robot_speaking = t.speaking;
    }
    while s.alerts.try_recv().is_some() {
        st.staff_called = true;
    }
    if st != before {
        side.publish(st);
    }
}

fn input(
    side: &RobotSide,
    out: &Publisher<Transcript>,
    node: &Node,
    i: ScreenInput,
) -> Result<(), NodesError> {
    tracing::info!(kind = i.kind(), "screen input");
    match &i {
        ScreenInput::Language { lang } => {
            side.update(|s| s.lang = *lang);
        }
        ScreenInput::CallStaff { .. } => {
            side.update(|s| s.staff_called = true);
        }
        ScreenInput::Typed { text, .. } => {
            let text = text.clone();
            side.update(|s| s.heard = text);
        }
        _ => {}
    }
    if let Some(t) = transcript_of(&i, Header::new(node.clock().now(), "screen")) {
        out.publish(t)?;
    }
    Ok(())
}

/// Serve the citizen screen until `shutdown`.
pub async fn run(
    ctx: Context,
    args: NodeArgs,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NodesError> {
    let (node, params) = start::<ScreenParams>(&ctx, &args, "screen", |p| {
        p.validate().map_err(|e| e.to_string())
    })?;
    let (link, mut side): (ScreenLink, RobotSide) = ScreenLink::new(64);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(letan_screen::server::serve(params, link, async {
        let _ = stop_rx.await;
    }));
    let subs = Subs {
        content: node.subscribe("/dialog/screen", Qos::latched())?,
        dialog: node.subscribe("/dialog/state", Qos::commands().with_depth(20))?,
        transcript: node.subscribe("/speech/transcript", Qos::commands().with_depth(50))?,
        tts: node.subscribe("/tts/status", Qos::commands().with_depth(50))?,
        alerts: node.subscribe("/staff/alert", Qos::commands().with_depth(20))?,
    };
    let out = node.publisher::<Transcript>("/speech/transcript", Qos::commands())?;
    let mut last_person = String::new();
    // The page must stay responsive while the simulation is paused: wall-clock ticks.
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    let result = loop {
        tokio::select! {
            _ = &mut shutdown => break Ok(()),
            i = side.recv() => {
                let Some(i) = i else { break Ok(()) };
                if let Err(e) = input(&side, &out, &node, i) {
                    break Err(e);
                }
            }
            _ = tick.tick() => drain(&subs, &side, &mut last_person),
        }
    };
    let _ = stop_tx.send(());
    match server.await {
        Ok(Ok(())) => result,
        Ok(Err(e)) => Err(NodesError::node(&node, e)),
        Err(e) => Err(NodesError::node(
            &node,
            format!("the screen server stopped: {e}"),
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn content_fills_the_screen_and_refuses_odd_urls() {
        let mut st = ScreenState::default();
        let m = ScreenContent {
            language: "en".into(),
            title: "Birth registration".into(),
            body: "Bring …".into(),
            documents: vec!["birth certificate".into(), "ID card".into()],
            qr_url: "https://dichvucong.gov.vn/".into(),
            suggestion_ids: vec!["proc.id_card".into(), "service.vneid".into()],
            suggestion_labels: vec!["ID card".into()],
            ..ScreenContent::default()
        };
        apply_content(&mut st, &m);
        assert_eq!(st.lang, Lang::En);
        assert_eq!(st.documents.len(), 2);
        assert_eq!(st.qr_url.as_deref(), Some("https://dichvucong.gov.vn/"));
        assert_eq!(st.suggestions.len(), 1, "labels and ids are paired");
        apply_content(
            &mut st,
            &ScreenContent {
                qr_url: "javascript:alert(1)".into(),
                ..m
            },
        );
        assert_eq!(st.qr_url, None);
    }

    #[test]
    fn a_confirmation_shows_what_was_heard_and_the_yes_no_buttons() {
        let mut st = ScreenState {
            heard: "earlier".into(),
            ..ScreenState::default()
        };
        let m = ScreenContent {
            language: "vi".into(),
            title: "Bác hỏi về đăng ký khai sinh phải không ạ?".into(),
            heard: "con tôi mới sinh".into(),
            confirm: true,
            ..ScreenContent::default()
        };
        apply_content(&mut st, &m);
        assert!(st.confirm);
        assert_eq!(st.heard, "con tôi mới sinh");
        // The answer after "yes" has no buttons and leaves the echo alone.
        apply_content(
            &mut st,
            &ScreenContent {
                title: "Đăng ký khai sinh".into(),
                ..ScreenContent::default()
            },
        );
        assert!(!st.confirm);
        assert_eq!(st.heard, "con tôi mới sinh");
        // The buttons become the transcripts the dialog reads as yes and no.
        let h = Header::default();
        for (yes, text) in [(true, "confirm.yes"), (false, "confirm.no")] {
            let t = transcript_of(
                &ScreenInput::Confirm {
                    yes,
                    lang: Lang::Vi,
                },
                h.clone(),
            )
            .unwrap();
            assert_eq!((t.source.as_str(), t.text.as_str()), ("button", text));
        }
    }

    #[test]
    fn inputs_become_transcripts_the_dialog_reads() {
        let h = Header::default();
        let t = transcript_of(
            &ScreenInput::Typed {
                text: "khai sinh".into(),
                lang: Lang::Vi,
            },
            h.clone(),
        )
        .unwrap();
        assert_eq!(
            (t.source.as_str(), t.text.as_str(), t.is_final),
            ("keyboard", "khai sinh", true)
        );
        let t = transcript_of(&ScreenInput::CallStaff { lang: Lang::En }, h.clone()).unwrap();
        assert_eq!(
            (t.source.as_str(), t.text.as_str(), t.language.as_str()),
            ("button", "staff.handoff", "en")
        );
        let t = transcript_of(&ScreenInput::Language { lang: Lang::En }, h.clone()).unwrap();
        assert_eq!(
            (t.text.as_str(), t.language.as_str()),
            ("chat.language", "en")
        );
        let t = transcript_of(
            &ScreenInput::Topic {
                id: "proc.id_card".into(),
                lang: Lang::Vi,
            },
            h,
        )
        .unwrap();
        assert_eq!(t.text, "proc.id_card");
    }
}
