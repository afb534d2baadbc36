//! An in-memory dialog for the demo and the browser test: it answers typed questions and topic
//! buttons from a small built-in table (every answer has a title, a text, two documents and the
//! national public service portal as QR code), echoes what was asked, "speaks" for a while, and
//! shows the staff banner when staff is called. It is a stand-in for the dialog node, not the
//! knowledge base: the answers here are short demo texts.
use crate::config::ScreenParams;
use crate::link::{DialogState, Lang, RobotSide, ScreenInput, ScreenLink, ScreenState, Suggestion};
use crate::Result;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The QR code of every demo answer.
pub const DEMO_QR_URL: &str = "https://dichvucong.gov.vn/";

struct Topic {
    id: &'static str,
    /// Button label, title, body, two documents: `[vi, en]`.
    label: [&'static str; 2],
    title: [&'static str; 2],
    body: [&'static str; 2],
    documents: [[&'static str; 2]; 2],
    /// Folded (no diacritics, lowercase) phrases that pick this topic from a typed question.
    keywords: &'static [&'static str],
}

const TOPICS: &[Topic] = &[
    Topic {
        id: "proc.birth_registration",
        label: ["Khai sinh", "Birth registration"],
        title: ["Đăng ký khai sinh", "Birth registration"],
        body: [
            "Đăng ký trong 60 ngày kể từ ngày sinh, tại UBND phường nơi bố hoặc mẹ cư trú.\nLàm đúng hạn thì miễn phí; có thể làm trực tuyến.",
            "Register within 60 days of the birth, at the ward People's Committee where a parent lives.\nIt is free when on time and can be done online.",
        ],
        documents: [
            ["Giấy chứng sinh", "Hospital birth certificate"],
            ["Căn cước của bố hoặc mẹ", "A parent's ID card"],
        ],
        keywords: &["khai sinh", "birth", "newborn", "baby"],
    },
    Topic {
        id: "proc.permanent_residence",
        label: ["Thường trú", "Permanent residence"],
        title: ["Đăng ký thường trú", "Permanent residence"],
        body: [
            "Nộp tại công an phường hoặc trực tuyến, khoảng 7 ngày làm việc.\nLệ phí 20.000 đồng; người cao tuổi được miễn.",
            "File at the ward police or online; about 7 working days.\nThe fee is 20,000 dong; the elderly are exempt.",
        ],
        documents: [
            ["Tờ khai thay đổi thông tin cư trú", "Residence change form"],
            ["Giấy tờ chứng minh chỗ ở hợp pháp", "Proof of lawful residence"],
        ],
        keywords: &["thuong tru", "ho khau", "permanent residence"],
    },
    Topic {
        id: "proc.temporary_residence",
        label: ["Tạm trú", "Temporary residence"],
        title: ["Đăng ký tạm trú", "Temporary residence"],
        body: [
            "Đăng ký trong 30 ngày kể từ ngày đến ở, tại công an phường hoặc trực tuyến.\nThời gian giải quyết khoảng 3 ngày làm việc.",
            "Register within 30 days of moving in, at the ward police or online.\nIt takes about 3 working days.",
        ],
        documents: [
            ["Tờ khai thay đổi thông tin cư trú", "Residence change form"],
            ["Hợp đồng thuê nhà hoặc giấy cho ở nhờ", "Rental contract or host's consent"],
        ],
        keywords: &["tam tru", "temporary", "rent"],
    },
    Topic {
        id: "proc.id_card",
        label: ["Căn cước", "ID card"],
        title: ["Cấp thẻ căn cước", "ID card"],
        body: [
            "Làm tại công an phường hoặc điểm cấp căn cước; có thu nhận vân tay và ảnh.\nThẻ trả sau khoảng 7 ngày làm việc.",
            "Apply at the ward police or an ID card point; fingerprints and a photo are taken.\nThe card is ready in about 7 working days.",
        ],
        documents: [
            ["Thẻ căn cước cũ (nếu có)", "The old ID card (if any)"],
            ["Tờ khai căn cước", "ID card application form"],
        ],
        keywords: &["can cuoc", "cccd", "chung minh", "id card", "identity"],
    },
    Topic {
        id: "proc.marriage_registration",
        label: ["Kết hôn", "Marriage"],
        title: ["Đăng ký kết hôn", "Marriage registration"],
        body: [
            "Hai bên cùng có mặt tại UBND phường nơi một bên cư trú.\nMiễn lệ phí; giấy chứng nhận trả ngay trong ngày.",
            "Both partners come to the ward People's Committee where one of them lives.\nIt is free; the certificate is issued the same day.",
        ],
        documents: [
            ["Tờ khai đăng ký kết hôn", "Marriage registration form"],
            ["Căn cước của hai bên", "Both partners' ID cards"],
        ],
        keywords: &["ket hon", "cuoi", "marriage", "marry"],
    },
    Topic {
        id: "proc.judicial_record",
        label: ["Lý lịch tư pháp", "Criminal record"],
        title: ["Phiếu lý lịch tư pháp", "Criminal record certificate"],
        body: [
            "Nộp tại Sở Tư pháp hoặc trực tuyến trên VNeID.\nThời gian khoảng 10 ngày làm việc.",
            "Apply at the Department of Justice or online in VNeID.\nIt takes about 10 working days.",
        ],
        documents: [
            ["Tờ khai yêu cầu cấp phiếu", "Application form"],
            ["Căn cước của người yêu cầu", "The applicant's ID card"],
        ],
        keywords: &["ly lich", "tu phap", "criminal record", "police record"],
    },
];

const GENERAL: Topic = Topic {
    id: "service.general",
    label: ["Hướng dẫn chung", "General guidance"],
    title: ["Hướng dẫn chung", "General guidance"],
    body: [
        "Ông/bà vui lòng lấy số thứ tự ở máy cạnh cửa, rồi chờ gọi số tại quầy.\nCán bộ tại quầy sẽ hướng dẫn chi tiết thủ tục.",
        "Please take a queue number at the kiosk by the door and wait for your number.\nThe officer at the counter will explain the procedure.",
    ],
    documents: [
        ["Căn cước", "ID card"],
        ["Giấy tờ liên quan đến thủ tục", "Papers about your case"],
    ],
    keywords: &[],
};

fn idx(lang: Lang) -> usize {
    match lang {
        Lang::Vi => 0,
        Lang::En => 1,
    }
}

/// Lowercase, without diacritics (`Đăng ký` → `dang ky`), for keyword matching.
pub fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

fn find_topic(id: &str) -> &'static Topic {
    TOPICS.iter().find(|t| t.id == id).unwrap_or(&GENERAL)
}

fn match_question(text: &str) -> &'static Topic {
    let f = fold(text);
    TOPICS
        .iter()
        .find(|t| t.keywords.iter().any(|k| f.contains(k)))
        .unwrap_or(&GENERAL)
}

/// A one-word question that is only part of a topic's phrase ("sinh"): the demo is unsure and
/// asks the citizen to confirm, as the real dialog does on a low confidence.
fn unsure_topic(text: &str) -> Option<&'static Topic> {
    let f = fold(text);
    let word = f.trim();
    if word.is_empty() || word.contains(' ') || TOPICS.iter().any(|t| t.keywords.contains(&word)) {
        return None;
    }
    TOPICS
        .iter()
        .find(|t| t.keywords.iter().any(|k| k.split(' ').any(|w| w == word)))
}

fn suggestions(lang: Lang) -> Vec<Suggestion> {
    TOPICS
        .iter()
        .map(|t| Suggestion {
            id: t.id.to_string(),
            label: t.label[idx(lang)].to_string(),
        })
        .collect()
}

fn show(s: &mut ScreenState, topic: &Topic) {
    let i = idx(s.lang);
    s.title = topic.title[i].to_string();
    s.body = topic.body[i].to_string();
    s.documents = topic.documents.iter().map(|d| d[i].to_string()).collect();
    s.qr_url = Some(DEMO_QR_URL.to_string());
}

/// The fake dialog. It owns the [`RobotSide`] and runs until the server side is gone.
pub struct FakeDialog {
    robot: RobotSide,
    speak_for: Duration,
    shown: Option<&'static Topic>,
    /// The topic a confirmation question asks about.
    asking: Option<&'static Topic>,
}

impl FakeDialog {
    /// A fake that "speaks" each answer for `speak_for`; it publishes the welcome state at once.
    pub fn new(robot: RobotSide, speak_for: Duration) -> Self {
        robot.publish(ScreenState {
            lang: Lang::Vi,
            suggestions: suggestions(Lang::Vi),
            dialog_state: DialogState::Listening,
            ..Default::default()
        });
        FakeDialog {
            robot,
            speak_for,
            shown: None,
            asking: None,
        }
    }

    /// Start it on the current tokio runtime.
    pub fn spawn(robot: RobotSide, speak_for: Duration) -> tokio::task::JoinHandle<()> {
        let fake = FakeDialog::new(robot, speak_for);
        tokio::spawn(fake.run())
    }

    /// Answer inputs until the server side is dropped.
    #[allow(clippy::disallowed_methods)] // the demo stand-in dialog "speaks" for a wall-clock while
    pub async fn run(mut self) {
        let mut quiet_at: Option<Instant> = None;
        loop {
            let input = match quiet_at {
                Some(at) => tokio::select! {
                    i = self.robot.recv() => i,
                    () = tokio::time::sleep_until(at) => {
                        quiet_at = None;
                        self.robot.update(|s| {
                            s.robot_speaking = false;
                            if s.dialog_state == DialogState::Answering {
                                s.dialog_state = DialogState::Listening;
                            }
                        });
                        continue;
                    }
                },
                None => self.robot.recv().await,
            };
            let Some(input) = input else {
                return;
            };
            if self.handle(input) {
                quiet_at = Some(Instant::now() + self.speak_for);
            }
        }
    }

    /// Apply one input; true if the robot now speaks.
    fn handle(&mut self, input: ScreenInput) -> bool {
        match input {
            ScreenInput::Typed { text, lang } if unsure_topic(&text).is_some() => {
                let Some(topic) = unsure_topic(&text) else {
                    return false;
                };
                self.asking = Some(topic);
                self.robot.update(|s| {
                    s.lang = lang;
                    let i = idx(lang);
                    s.title = match lang {
                        Lang::Vi => format!(
                            "Ông/bà hỏi về {} phải không ạ?",
                            topic.title[i].to_lowercase()
                        ),
                        Lang::En => format!("Did you ask about {}?", topic.title[i].to_lowercase()),
                    };
                    s.body = String::new();
                    s.documents.clear();
                    s.qr_url = None;
                    s.heard = text;
                    s.confirm = true;
                    s.dialog_state = DialogState::Answering;
                    s.robot_speaking = true;
                });
                true
            }
            ScreenInput::Typed { text, lang } => {
                let topic = match_question(&text);
                self.asking = None;
                self.shown = Some(topic);
                self.robot.update(|s| {
                    s.lang = lang;
                    s.suggestions = suggestions(lang);
                    s.heard = text;
                    show(s, topic);
                    s.dialog_state = DialogState::Answering;
                    s.robot_speaking = true;
                });
                true
            }
            ScreenInput::Topic { id, lang } => {
                let topic = find_topic(&id);
                self.shown = Some(topic);
                self.robot.update(|s| {
                    s.lang = lang;
                    s.suggestions = suggestions(lang);
                    s.heard = topic.label[idx(lang)].to_string();
                    show(s, topic);
                    s.dialog_state = DialogState::Answering;
                    s.robot_speaking = true;
                });
                true
            }
            ScreenInput::CallStaff { lang } => {
                self.robot.update(|s| {
                    s.lang = lang;
                    s.staff_called = true;
                    s.dialog_state = DialogState::Handover;
                    s.robot_speaking = true;
                });
                true
            }
            ScreenInput::Language { lang } => {
                let shown = self.shown;
                self.robot.update(|s| {
                    s.lang = lang;
                    s.suggestions = suggestions(lang);
                    if let Some(t) = shown {
                        show(s, t);
                    }
                });
                false
            }
            ScreenInput::Confirm { yes, lang } => {
                let asked = self.asking.take();
                match (yes, asked) {
                    (true, Some(topic)) => {
                        self.shown = Some(topic);
                        self.robot.update(|s| {
                            s.lang = lang;
                            s.confirm = false;
                            show(s, topic);
                            s.dialog_state = DialogState::Answering;
                            s.robot_speaking = true;
                        });
                        true
                    }
                    (false, Some(_)) => {
                        // "Không phải": back to the topic buttons to choose from.
                        self.robot.update(|s| {
                            s.lang = lang;
                            s.confirm = false;
                            s.title = String::new();
                            s.body = String::new();
                            s.suggestions = suggestions(lang);
                            s.dialog_state = DialogState::Listening;
                        });
                        false
                    }
                    (_, None) => {
                        // No question asked: a stray tap just clears the buttons.
                        self.robot.update(|s| s.confirm = false);
                        false
                    }
                }
            }
            ScreenInput::Repeat { .. } => {
                if self.shown.is_none() {
                    return false;
                }
                self.robot.update(|s| {
                    s.robot_speaking = true;
                    s.dialog_state = DialogState::Answering;
                });
                true
            }
        }
    }
}

/// The demo: a [`FakeDialog`] (answers spoken for 3 s) behind the screen, served with `params`
/// until `shutdown`. Prints `screen listening on http://ADDR/` on stdout once bound.
pub async fn run_demo(
    params: ScreenParams,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let (link, robot) = ScreenLink::new(32);
    let _dialog = FakeDialog::spawn(robot, Duration::from_secs(3));
    crate::server::serve(params, link, shutdown).await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Đăng ký KHAI SINH"), "dang ky khai sinh");
        assert_eq!(fold("Thường trú"), "thuong tru");
    }

    #[test]
    fn topics_are_valid_and_complete() {
        for t in TOPICS {
            assert!(crate::text::valid_topic_id(t.id), "{}", t.id);
            for i in 0..2 {
                assert!(!t.label[i].is_empty() && !t.title[i].is_empty() && !t.body[i].is_empty());
            }
            for k in t.keywords {
                assert_eq!(fold(k), *k, "keywords are folded");
            }
        }
        assert_eq!(
            match_question("đăng ký khai sinh").id,
            "proc.birth_registration"
        );
        assert_eq!(match_question("Làm CĂN CƯỚC ở đâu").id, "proc.id_card");
        assert_eq!(match_question("xin chào").id, "service.general");
    }

    #[tokio::test(start_paused = true)]
    #[allow(clippy::disallowed_methods)] // a test of wall-clock pacing
    async fn answers_echo_speak_then_go_quiet() {
        let (link, robot) = ScreenLink::new(8);
        let _task = FakeDialog::spawn(robot, Duration::from_secs(3));
        let mut rx = link.state.clone();
        rx.wait_for(|s| !s.suggestions.is_empty()).await.unwrap();
        link.inputs
            .send(ScreenInput::Typed {
                text: "đăng ký khai sinh".into(),
                lang: Lang::Vi,
            })
            .await
            .unwrap();
        let s = rx.wait_for(|s| s.robot_speaking).await.unwrap().clone();
        assert_eq!(s.heard, "đăng ký khai sinh");
        assert_eq!(s.title, "Đăng ký khai sinh");
        assert_eq!(s.documents.len(), 2);
        assert_eq!(s.qr_url.as_deref(), Some(DEMO_QR_URL));
        assert_eq!(s.dialog_state, DialogState::Answering);
        let t0 = Instant::now();
        let s = rx.wait_for(|s| !s.robot_speaking).await.unwrap().clone();
        assert!(t0.elapsed() >= Duration::from_secs(3));
        assert_eq!(s.dialog_state, DialogState::Listening);

        link.inputs
            .send(ScreenInput::Language { lang: Lang::En })
            .await
            .unwrap();
        let s = rx.wait_for(|s| s.lang == Lang::En).await.unwrap().clone();
        assert_eq!(s.title, "Birth registration");
        assert_eq!(s.suggestions[0].label, "Birth registration");

        link.inputs
            .send(ScreenInput::CallStaff { lang: Lang::En })
            .await
            .unwrap();
        let s = rx.wait_for(|s| s.staff_called).await.unwrap().clone();
        assert_eq!(s.dialog_state, DialogState::Handover);
    }

    #[tokio::test(start_paused = true)]
    async fn an_unsure_word_is_asked_about_then_yes_or_no() {
        let (link, robot) = ScreenLink::new(8);
        let _task = FakeDialog::spawn(robot, Duration::from_secs(1));
        let mut rx = link.state.clone();
        rx.wait_for(|s| !s.suggestions.is_empty()).await.unwrap();
        assert!(unsure_topic("đăng ký khai sinh").is_none());
        let ask = |text: &str| ScreenInput::Typed {
            text: text.into(),
            lang: Lang::Vi,
        };
        link.inputs.send(ask("sinh")).await.unwrap();
        let s = rx.wait_for(|s| s.confirm).await.unwrap().clone();
        assert_eq!(s.title, "Ông/bà hỏi về đăng ký khai sinh phải không ạ?");
        assert_eq!(s.heard, "sinh");
        assert!(s.documents.is_empty() && s.qr_url.is_none());
        link.inputs
            .send(ScreenInput::Confirm {
                yes: true,
                lang: Lang::Vi,
            })
            .await
            .unwrap();
        let s = rx.wait_for(|s| !s.confirm).await.unwrap().clone();
        assert_eq!(s.title, "Đăng ký khai sinh");
        link.inputs.send(ask("sinh")).await.unwrap();
        rx.wait_for(|s| s.confirm).await.unwrap();
        link.inputs
            .send(ScreenInput::Confirm {
                yes: false,
                lang: Lang::Vi,
            })
            .await
            .unwrap();
        let s = rx.wait_for(|s| !s.confirm).await.unwrap().clone();
        assert_eq!(s.title, "");
        assert!(!s.suggestions.is_empty());
    }
}
