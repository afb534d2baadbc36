//! Scripted conversations at the text level, against the shipped knowledge base and lobby places.

mod common;

use std::time::Duration;

use letan_dialog::{
    Action, AlertReason, Dialog, DialogConfig, Event, Language, NavEvent, OperatorAction, Source,
    Utterance,
};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn dialog_with(cfg: DialogConfig) -> Dialog {
    let kb = letan_nlu::kb::load_dir(std::path::Path::new(&format!("{ROOT}/kb")))
        .unwrap_or_else(|e| panic!("kb: {e}"));
    let nlu = letan_nlu::Nlu::new(kb, letan_nlu::NluConfig::default())
        .unwrap_or_else(|e| panic!("nlu: {e}"));
    let places = letan_map::Places::load(format!("{ROOT}/maps/places.yaml"))
        .unwrap_or_else(|e| panic!("places: {e}"));
    Dialog::new(cfg, nlu, places).unwrap_or_else(|e| panic!("dialog: {e}"))
}

/// A conversation driver with a clock.
struct Script {
    d: Dialog,
    now: Duration,
}

impl Script {
    fn new() -> Script {
        Script::with(DialogConfig::default())
    }
    fn with(cfg: DialogConfig) -> Script {
        Script {
            d: dialog_with(cfg),
            now: Duration::ZERO,
        }
    }
    fn ev(&mut self, e: Event) -> Vec<Action> {
        self.d.handle(e, self.now)
    }
    fn wait(&mut self, secs: f64) -> Vec<Action> {
        self.now += Duration::from_secs_f64(secs);
        self.ev(Event::Tick)
    }
    /// Say something, then the robot's answer is spoken to the end.
    fn say(&mut self, text: &str) -> Vec<Action> {
        self.now += Duration::from_millis(500);
        let a = self.ev(Event::Transcript(Utterance::asr(text, 0.9)));
        self.spoken_to_end();
        a
    }
    fn typed(&mut self, text: &str) -> Vec<Action> {
        self.now += Duration::from_millis(500);
        let a = self.ev(Event::Transcript(Utterance::typed(text)));
        self.spoken_to_end();
        a
    }
    fn spoken_to_end(&mut self) {
        self.now += Duration::from_millis(100);
        self.ev(Event::TtsStarted);
        self.now += Duration::from_secs(3);
        self.ev(Event::TtsFinished);
    }
    fn engage(&mut self, id: &str) -> Vec<Action> {
        let a = self.ev(Event::PersonEngaged { id: id.into() });
        self.spoken_to_end();
        a
    }
}

fn said(actions: &[Action]) -> Vec<(String, Language, f32)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Say {
                text, lang, rate, ..
            } => Some((text.clone(), *lang, *rate)),
            _ => None,
        })
        .collect()
}

fn one_say(actions: &[Action]) -> (String, Language, f32) {
    let s = said(actions);
    assert_eq!(s.len(), 1, "expected one Say in {actions:#?}");
    s[0].clone()
}

fn screen(actions: &[Action]) -> letan_dialog::ScreenContent {
    actions
        .iter()
        .find_map(|a| match a {
            Action::ShowScreen(s) => Some(s.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no ShowScreen in {actions:#?}"))
}

fn navigations(actions: &[Action]) -> Vec<(String, bool)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::NavigateTo { place, guide, .. } => Some((place.clone(), *guide)),
            _ => None,
        })
        .collect()
}

#[test]
fn birth_registration_then_fee_follow_up_vi() {
    let mut s = Script::new();
    let a = s.engage("person_1");
    let (greet, lang, _) = one_say(&a);
    assert_eq!(lang, Language::Vi);
    assert!(greet.contains("chào"), "{greet}");
    assert_eq!(s.d.snapshot().state, "listening");

    let a = s.say("con tôi mới sinh thì phải làm giấy gì");
    let (text, lang, rate) = one_say(&a);
    assert_eq!(lang, Language::Vi);
    assert!(
        text.contains("khai sinh") && text.contains("60 ngày"),
        "{text}"
    );
    assert_eq!(rate, 1.0);
    let sc = screen(&a);
    assert_eq!(sc.title, "Đăng ký khai sinh");
    assert!(sc.documents.len() >= 3, "{:?}", sc.documents);
    assert!(sc.documents.iter().any(|d| d.contains("giấy chứng sinh")));
    let qr = sc.qr_url.unwrap_or_default();
    assert!(qr.starts_with("https://dichvucong.gov.vn/"), "{qr}");
    assert_eq!(s.d.snapshot().intent, "proc.birth_registration");

    let a = s.say("còn lệ phí thì sao?");
    let (fee, _, _) = one_say(&a);
    assert!(fee.contains("lệ phí") && fee.contains("khai sinh"), "{fee}");
    assert!(
        fee.contains("Miễn phí nếu đúng hạn"),
        "the birth-registration fee: {fee}"
    );

    let a = s.say("nộp ở đâu");
    let (wh, _, _) = one_say(&a);
    assert!(wh.contains("UBND xã, phường nơi bố hoặc mẹ cư trú"), "{wh}");
}

#[test]
fn birth_registration_then_fee_follow_up_without_diacritics() {
    let mut s = Script::new();
    s.engage("p");
    let a = s.typed("con toi moi sinh thi phai lam giay gi");
    let (text, _, _) = one_say(&a);
    assert!(text.contains("khai sinh"), "{text}");
    let a = s.typed("con le phi thi sao");
    let (fee, _, _) = one_say(&a);
    assert!(fee.contains("Miễn phí nếu đúng hạn"), "{fee}");
}

#[test]
fn birth_registration_then_fee_follow_up_en() {
    let mut s = Script::new();
    s.engage("p");
    let a = s.say("how do i register a birth for my newborn");
    assert!(
        a.contains(&Action::SwitchLanguage { lang: Language::En }),
        "{a:#?}"
    );
    let (text, lang, _) = one_say(&a);
    assert_eq!(lang, Language::En);
    assert!(text.contains("60 days"), "{text}");
    assert_eq!(screen(&a).title, "Birth registration");
    let a = s.say("and what is the fee");
    let (fee, lang, _) = one_say(&a);
    assert_eq!(lang, Language::En);
    assert!(fee.contains("Free if on time"), "{fee}");
}

#[test]
fn follow_up_without_a_procedure_is_not_invented() {
    let mut s = Script::new();
    s.engage("p");
    let a = s.say("còn lệ phí thì sao?");
    let (text, _, _) = one_say(&a);
    assert!(!text.contains("khai sinh"), "{text}");
    assert_eq!(s.d.snapshot().intent, "service.fee_payment");
}

fn guide_to_counter_5(utterance: &str, yes: &str, lang: Language) {
    let mut s = Script::new();
    s.engage("person_7");
    let a = s.say(utterance);
    let (confirm, l, _) = one_say(&a);
    assert_eq!(l, lang);
    assert!(confirm.contains('5'), "{confirm}");
    assert!(navigations(&a).is_empty(), "asks before moving");
    let a = s.say(yes);
    assert_eq!(navigations(&a), vec![("counter_5".to_string(), true)]);
    assert!(a
        .iter()
        .any(|x| matches!(x, Action::NavigateTo { person_id, .. } if person_id == "person_7")));
    assert_eq!(s.d.snapshot().state, "guiding");
    // Silence while walking does not end the conversation.
    assert!(s.wait(60.0).is_empty());
    s.ev(Event::Nav(NavEvent::Accepted));
    s.ev(Event::Nav(NavEvent::Progress(0.5)));
    let a = s.ev(Event::Nav(NavEvent::Arrived));
    let (arrival, _, _) = one_say(&a);
    assert!(arrival.contains('5'), "{arrival}");
    assert!(!a.contains(&Action::ReturnToDock), "announce first");
    s.ev(Event::TtsStarted);
    s.now += Duration::from_secs(3);
    let a = s.ev(Event::TtsFinished);
    assert_eq!(a, vec![Action::ReturnToDock]);
    let a = s.ev(Event::Nav(NavEvent::Arrived));
    assert_eq!(s.d.snapshot().state, "idle");
    assert!(matches!(a.as_slice(), [Action::ShowScreen(_)]));
}

#[test]
fn guide_to_counter_5_vi() {
    guide_to_counter_5("dẫn tôi đến quầy 5", "vâng", Language::Vi);
}

#[test]
fn guide_to_counter_5_vi_without_diacritics() {
    guide_to_counter_5("dan toi den quay 5", "da", Language::Vi);
}

#[test]
fn guide_to_counter_5_en() {
    guide_to_counter_5("please take me to counter five", "yes please", Language::En);
}

#[test]
fn arrival_returns_to_dock_even_without_tts_events() {
    let mut s = Script::new();
    s.engage("p");
    s.say("dẫn tôi đến quầy 3");
    s.say("ừ");
    let a = s.ev(Event::Nav(NavEvent::Arrived));
    assert_eq!(said(&a).len(), 1);
    assert!(s.wait(2.0).is_empty());
    assert_eq!(s.wait(10.0), vec![Action::ReturnToDock]);
}

#[test]
fn a_restarted_dialog_takes_on_the_walk_it_finds_running() {
    // The dialog process was killed mid-walk; the launcher started a new one, which knows nothing
    // of the conversation. Navigation still leads the person to counter 5.
    let mut s = Script::new();
    let a = s.ev(Event::Nav(NavEvent::Adopted {
        place: "counter_5".into(),
    }));
    assert!(
        said(&a).is_empty(),
        "nothing said on taking the walk over: {a:?}"
    );
    assert!(
        navigations(&a).is_empty(),
        "the running goal is kept, not sent again"
    );
    let shown = a
        .iter()
        .find_map(|x| match x {
            Action::ShowScreen(c) => Some(c.title.clone()),
            _ => None,
        })
        .expect("the screen shows where the walk goes");
    assert!(shown.contains('5'), "{shown}");
    assert_eq!(s.d.snapshot().state, "guiding");
    assert!(s.wait(60.0).is_empty(), "a silent walk does not end");
    let a = s.ev(Event::Nav(NavEvent::Arrived));
    let (arrival, _, _) = one_say(&a);
    assert!(arrival.contains('5'), "{arrival}");
    s.ev(Event::TtsStarted);
    s.now += Duration::from_secs(3);
    assert_eq!(s.ev(Event::TtsFinished), vec![Action::ReturnToDock]);
    s.ev(Event::Nav(NavEvent::Arrived));
    assert_eq!(s.d.snapshot().state, "idle");
}

#[test]
fn a_walk_to_a_place_the_knowledge_base_lacks_is_not_taken_on() {
    let mut s = Script::new();
    for place in ["counter_99", "", "<script>"] {
        let a = s.ev(Event::Nav(NavEvent::Adopted {
            place: place.into(),
        }));
        assert!(a.is_empty(), "{place:?}: {a:?}");
        assert_eq!(s.d.snapshot().state, "idle");
    }
}

#[test]
fn a_dialog_in_a_conversation_does_not_take_on_another_walk() {
    let mut s = Script::new();
    s.engage("p");
    let a = s.ev(Event::Nav(NavEvent::Adopted {
        place: "counter_5".into(),
    }));
    assert!(a.is_empty(), "{a:?}");
    assert_ne!(s.d.snapshot().state, "guiding");
    assert!(s.ev(Event::Nav(NavEvent::Arrived)).is_empty());
}

#[test]
fn where_is_gives_directions_then_guides_on_yes() {
    let mut s = Script::new();
    s.engage("p");
    let a = s.say("quầy số 5 ở đâu");
    let (text, _, _) = one_say(&a);
    // Counter 5 (13, 14.9) from the dock (23, 0.75) facing north: ahead on the left, ~17 m.
    assert!(text.contains("phía trước, bên trái"), "{text}");
    assert!(text.contains("17 mét"), "{text}");
    assert!(
        text.contains("Quầy số 4") || text.contains("Quầy số 6") || text.contains("quầy"),
        "{text}"
    );
    assert!(text.contains("dẫn"), "offers to guide: {text}");
    assert!(navigations(&a).is_empty());
    let a = s.say("có");
    assert_eq!(navigations(&a), vec![("counter_5".to_string(), true)]);
}

#[test]
fn where_is_en_and_no_thanks() {
    let mut s = Script::new();
    s.engage("p");
    let a = s.say("where is the restroom");
    let (text, lang, _) = one_say(&a);
    assert_eq!(lang, Language::En);
    // Restroom (4.5, 12.25) from (23, 0.75): ahead on the left, ~22 m.
    assert!(
        text.contains("ahead on your left") && text.contains("22 metres"),
        "{text}"
    );
    assert!(text.contains("take you"), "{text}");
    let a = s.say("no thanks");
    assert!(navigations(&a).is_empty());
    assert_eq!(said(&a).len(), 1);
    assert_eq!(s.d.snapshot().state, "listening");
}

/// The two readings the router offers for an ambiguous utterance (whatever the knowledge base makes
/// of it), as the dialog must name them.
fn top_two(s: &Script, text: &str) -> Vec<String> {
    let u = s.d.nlu().understand(text);
    assert!(
        u.needs_clarification,
        "{text:?} is not ambiguous any more: {u:?}"
    );
    u.alternatives
        .iter()
        .map(|(i, _)| i.clone())
        .filter(|i| i != "fallback.out_of_scope")
        .take(2)
        .collect()
}

#[test]
fn low_confidence_asks_between_the_top_two_then_picks() {
    let mut s = Script::new();
    s.engage("p");
    let options = top_two(&s, "đăng ký");
    let a = s.say("đăng ký");
    let (q, _, _) = one_say(&a);
    let titles: Vec<String> = options
        .iter()
        .map(|o| common::title(o, Language::Vi).to_lowercase())
        .collect();
    assert!(
        q.contains(&titles[0]) && q.contains(&titles[1]) && q.contains(" hay "),
        "{q} should name {titles:?}"
    );
    let sc = screen(&a);
    let ids: Vec<String> = sc.suggestions.iter().map(|x| x.id.clone()).collect();
    assert_eq!(ids, options);
    // Named by its title.
    let a = s.say(&titles[1]);
    let (text, _, _) = one_say(&a);
    assert_eq!(s.d.snapshot().intent, options[1]);
    assert_eq!(screen(&a).title, common::title(&options[1], Language::Vi));
    assert!(!text.contains(" hay "), "{text}");
}

#[test]
fn clarification_answered_by_position() {
    let mut s = Script::new();
    s.engage("p");
    let options = top_two(&s, "đăng ký");
    s.say("đăng ký");
    s.say("cai thu hai");
    assert_eq!(s.d.snapshot().intent, options[1]);
    let mut s = Script::new();
    s.engage("p");
    s.say("đăng ký");
    s.say("the first one");
    assert_eq!(s.d.snapshot().intent, options[0]);
}

/// An English question the router finds ambiguous between a need and the way to a place. The
/// 2 h soak found these faults with "Where can I print documents?", which the router now reads
/// as the way to the printing area; `top_two` fails loudly if this one stops being ambiguous.
const AMBIGUOUS_EN: &str = "Where can I get documents?";

#[test]
fn a_clarification_answered_with_a_where_question_keeps_its_place() {
    // The question is ambiguous for the router (a need, or the way to a place); the reply "where
    // is the restroom?" picks the where-is option and must keep the restroom (it once answered
    // "Where would you like to go?", the place lost; found by the 2 h soak).
    let mut s = Script::new();
    s.engage("p");
    let options = top_two(&s, AMBIGUOUS_EN);
    assert!(options.iter().any(|o| o == "nav.where_is"), "{options:?}");
    let a = s.say(AMBIGUOUS_EN);
    let (q, _, _) = one_say(&a);
    assert!(q.contains(" or "), "{q}");
    let a = s.say("Phòng vệ sinh ở đâu vậy cháu?");
    let (text, _, _) = one_say(&a);
    assert_eq!(s.d.snapshot().intent, "nav.where_is");
    // The way to the restroom, in the conversation's language, and the offer to go there.
    assert!(
        text.contains("The Restroom is") || text.contains("Nhà vệ sinh ở"),
        "the restroom is lost: {text}"
    );
    assert!(!text.contains("Where would you like to go"), "{text}");
}

#[test]
fn a_second_person_asking_in_the_other_language_does_not_take_the_first_ones_clarification() {
    // Two visitors at the desk (the 2 h soak's busy lobby): an English speaker's question gets
    // "A or B?"; before he replies, a Vietnamese speaker asks for the restroom.
    // One microphone cannot tell voices apart, but a whole question in the other language is
    // not a reply: it is answered in its own language, and the earlier question is asked again,
    // in English, at the next pause, where the English reply still picks an option.
    let mut s = Script::new();
    s.engage("p");
    let options = top_two(&s, AMBIGUOUS_EN);
    let a = s.say(AMBIGUOUS_EN);
    let (q, lang, _) = one_say(&a);
    assert_eq!(lang, Language::En);
    assert!(q.contains(" or "), "{q}");
    let a = s.say("Phòng vệ sinh ở đâu vậy cháu?");
    let (text, lang, _) = one_say(&a);
    assert_eq!(lang, Language::Vi, "{text}");
    assert!(text.contains("Nhà vệ sinh ở"), "{text}");
    assert!(
        a.iter()
            .any(|x| matches!(x, Action::SwitchLanguage { lang: Language::Vi })),
        "{a:#?}"
    );
    // The pause after her answer: his question again, in English, and the voice switched back.
    let a = s.wait(30.0);
    let (again, lang, _) = one_say(&a);
    assert_eq!(lang, Language::En);
    assert!(again.starts_with("About the earlier question"), "{again}");
    assert!(again.contains(&q), "{again} / {q}");
    assert!(
        a.iter()
            .any(|x| matches!(x, Action::SwitchLanguage { lang: Language::En })),
        "{a:#?}"
    );
    s.spoken_to_end();
    let a = s.say("the first one");
    let (answer, lang, _) = one_say(&a);
    assert_eq!(lang, Language::En);
    assert_eq!(s.d.snapshot().intent, options[0], "{answer}");
    // Asked once: the next pause is the usual "anything else?".
    s.spoken_to_end();
    let (next, _, _) = one_say(&s.wait(30.0));
    assert!(!next.contains("earlier question"), "{next}");
}

#[test]
fn the_clarification_put_aside_is_answered_in_its_language_before_it_is_asked_again() {
    // The English speaker replies right after the Vietnamese answer, before the robot asks again.
    let mut s = Script::new();
    s.engage("p");
    let options = top_two(&s, AMBIGUOUS_EN);
    s.say(AMBIGUOUS_EN);
    s.say("Phòng vệ sinh ở đâu vậy cháu?");
    // The first option named by its English title.
    let reply = format!(
        "{} please",
        common::title(&options[0], Language::En).to_lowercase()
    );
    let a = s.say(&reply);
    let (answer, lang, _) = one_say(&a);
    assert_eq!(lang, Language::En, "{answer}");
    assert_eq!(s.d.snapshot().intent, options[0], "{reply}: {answer}");
    s.spoken_to_end();
    let (next, _, _) = one_say(&s.wait(30.0));
    assert!(!next.contains("earlier question"), "{next}");
}

#[test]
fn topic_button_answers_that_intent() {
    let mut s = Script::new();
    let a = s.ev(Event::Transcript(Utterance {
        text: "proc.id_card".into(),
        lang: None,
        confidence: 1.0,
        source: Source::Button,
    }));
    assert_eq!(screen(&a).title, "Căn cước");
    assert_eq!(s.d.snapshot().intent, "proc.id_card");
}

#[test]
fn staff_handoff_alerts_and_waits() {
    let mut s = Script::new();
    s.engage("person_3");
    let a = s.say("tôi muốn gặp cán bộ");
    assert!(a.iter().any(|x| matches!(x, Action::StaffAlert { reason: AlertReason::Requested, person_id, .. } if person_id == "person_3")), "{a:#?}");
    let (text, _, _) = one_say(&a);
    assert!(text.contains("chờ"), "{text}");
    assert_eq!(s.d.snapshot().state, "handover");
    // A polite wait: no re-prompt, no farewell while the staff comes.
    assert!(s.wait(60.0).is_empty());
    let a = s.ev(Event::Operator(OperatorAction::Release));
    assert!(a.is_empty());
    assert_eq!(s.d.snapshot().state, "listening");
}

#[test]
fn operator_takes_over_during_guidance() {
    let mut s = Script::new();
    s.engage("p");
    s.say("dẫn tôi đến quầy 3");
    s.say("vâng");
    s.ev(Event::TtsStarted);
    let a = s.ev(Event::Operator(OperatorAction::TakeOver));
    assert!(
        a.contains(&Action::StopSpeaking) && a.contains(&Action::CancelNavigation),
        "{a:#?}"
    );
    assert_eq!(s.d.snapshot().state, "handover");
    assert!(s.ev(Event::Nav(NavEvent::Arrived)).is_empty());
}

#[test]
fn repeat_is_the_same_text_slower() {
    let mut s = Script::new();
    s.engage("p");
    let a = s.say("làm căn cước cần gì");
    let (first, _, rate) = one_say(&a);
    let a = s.say("nói lại chậm thôi");
    let (again, _, slow) = one_say(&a);
    assert_eq!(again, first);
    assert!(slow < rate, "{slow} < {rate}");
    let a = s.say("say that again please");
    assert_eq!(one_say(&a).0, first);
}

#[test]
fn language_switch_changes_asr_voice_and_answers() {
    let mut s = Script::new();
    s.engage("p");
    let a = s.say("speak english please");
    assert!(
        a.contains(&Action::SwitchLanguage { lang: Language::En }),
        "{a:#?}"
    );
    let (text, lang, _) = one_say(&a);
    assert_eq!(lang, Language::En);
    assert!(text.contains("English"), "{text}");
    assert_eq!(s.d.snapshot().lang, Language::En);
    let a = s.say("nói tiếng việt đi");
    assert!(a.contains(&Action::SwitchLanguage { lang: Language::Vi }));
    assert_eq!(one_say(&a).1, Language::Vi);
}

#[test]
fn silence_reprompts_once_then_says_goodbye() {
    let mut s = Script::new();
    s.engage("p");
    assert!(s.wait(5.0).is_empty(), "not yet");
    let a = s.wait(4.0);
    let (re, _, _) = one_say(&a);
    assert!(re.contains("giúp gì"), "{re}");
    s.spoken_to_end();
    let a = s.wait(9.0);
    let (bye, _, _) = one_say(&a);
    assert!(bye.contains("chào"), "{bye}");
    s.ev(Event::TtsStarted);
    let a = s.ev(Event::TtsFinished);
    assert!(matches!(a.as_slice(), [Action::ShowScreen(_)]));
    assert_eq!(s.d.snapshot().state, "idle");
}

#[test]
fn barge_in_stops_speaking_and_listens() {
    let mut s = Script::new();
    s.ev(Event::PersonEngaged { id: "p".into() });
    s.ev(Event::TtsStarted);
    assert_eq!(s.d.snapshot().state, "greeting");
    let a = s.ev(Event::BargeIn);
    assert_eq!(a, vec![Action::StopSpeaking]);
    assert_eq!(s.d.snapshot().state, "listening");
    // Not speaking: a barge-in is nothing to stop.
    assert!(s.ev(Event::BargeIn).is_empty());
}

#[test]
fn out_of_scope_is_refused_politely_then_staff_after_repeats() {
    let mut s = Script::new();
    s.engage("p");
    let a = s.say("hôm nay trời có mưa không");
    let (text, _, _) = one_say(&a);
    assert!(text.contains("thủ tục"), "says what it can do: {text}");
    s.say("em thích màu gì");
    let a = s.say("bài hát nào đang hot");
    assert!(
        a.iter().any(|x| matches!(
            x,
            Action::StaffAlert {
                reason: AlertReason::NotUnderstood,
                ..
            }
        )),
        "{a:#?}"
    );
}

/// "Where is …" something the centre does not have: the robot says the place is not on its map
/// and names the reception staff, in the citizen's language, instead of asking where to go.
#[test]
fn a_place_the_centre_does_not_have_is_named_as_such() {
    let mut s = Script::new();
    s.engage("p");
    let a = s.say("đổi ngoại tệ ở đâu");
    let (text, _, _) = one_say(&a);
    assert!(text.contains("bản đồ") && text.contains("lễ tân"), "{text}");
    assert!(!text.contains("muốn đến chỗ nào"), "{text}");
    let a = s.say("where can i exchange money");
    assert!(
        a.iter()
            .any(|x| matches!(x, Action::SwitchLanguage { lang: Language::En })),
        "a real English sentence switches the conversation: {a:#?}"
    );
    let (text, _, _) = one_say(&a);
    assert!(text.contains("map") && text.contains("reception"), "{text}");
}

#[test]
fn no_to_anything_else_says_goodbye() {
    let mut s = Script::new();
    s.engage("p");
    s.say("wifi mật khẩu là gì");
    let a = s.say("không cần đâu");
    assert!(one_say(&a).0.contains("chào"));
}

#[test]
fn person_leaving_ends_the_conversation() {
    let mut s = Script::new();
    s.engage("p");
    s.ev(Event::Transcript(Utterance::asr(
        "làm hộ chiếu thế nào",
        0.9,
    )));
    let a = s.ev(Event::PersonDisengaged { id: "other".into() });
    assert!(a.is_empty());
    let a = s.ev(Event::PersonDisengaged { id: "p".into() });
    assert_eq!(a.first(), Some(&Action::StopSpeaking));
    assert_eq!(s.d.snapshot().state, "idle");
    // Two people: the second is not greeted over the first.
    s.engage("a");
    assert!(s.ev(Event::PersonEngaged { id: "b".into() }).is_empty());
    assert_eq!(s.d.snapshot().person_id, "a");
}

#[test]
fn bad_input_never_panics_and_ignores_empty_text() {
    let mut s = Script::new();
    s.engage("p");
    assert!(s
        .ev(Event::Transcript(Utterance::typed("  \u{0}\u{7} ")))
        .is_empty());
    let huge = "á".repeat(200_000);
    let a = s.ev(Event::Transcript(Utterance::typed(&huge)));
    assert_eq!(said(&a).len(), 1);
    for t in ["😀😀", "Привет как дела", "\u{202e}abc", "quầy 99"] {
        s.ev(Event::Transcript(Utterance::typed(t)));
    }
    s.ev(Event::Nav(NavEvent::Arrived));
    s.ev(Event::Nav(NavEvent::Failed { reason: "x".into() }));
    s.ev(Event::TtsFinished);
    s.ev(Event::Operator(OperatorAction::Release));
}

#[test]
fn every_intent_gets_an_answer_in_both_languages() {
    for lang in [Language::Vi, Language::En] {
        for id in letan_nlu::catalog::INTENTS {
            let mut s = Script::new();
            if lang == Language::En {
                s.say("speak english please");
            }
            let a = s.ev(Event::Transcript(Utterance {
                text: (*id).to_string(),
                lang: None,
                confidence: 1.0,
                source: Source::Button,
            }));
            let spoken = said(&a);
            assert_eq!(spoken.len(), 1, "{id} {lang:?}: {a:#?}");
            assert!(!spoken[0].0.trim().is_empty(), "{id} {lang:?}");
            if *id != "chat.language" {
                assert_eq!(spoken[0].1, lang, "{id}");
            }
        }
    }
}

#[test]
fn navigation_failure_alerts_staff_and_returns() {
    let mut s = Script::new();
    s.engage("p");
    s.say("dẫn tôi đến nhà vệ sinh");
    s.say("vâng");
    let a = s.ev(Event::Nav(NavEvent::FollowerLost));
    assert_eq!(said(&a).len(), 1);
    assert!(
        s.ev(Event::Nav(NavEvent::FollowerLost)).is_empty(),
        "said once"
    );
    let a = s.ev(Event::Nav(NavEvent::Failed {
        reason: "no path".into(),
    }));
    assert!(a.iter().any(|x| matches!(
        x,
        Action::StaffAlert {
            reason: AlertReason::RobotFault,
            ..
        }
    )));
    assert!(a.contains(&Action::ReturnToDock));
}

#[test]
fn navigation_gone_mid_guide_apologises_calls_staff_and_does_not_drive_on() {
    for (ask, yes, lang) in [
        ("dẫn tôi đến quầy 12", "vâng", Language::Vi),
        ("please take me to counter twelve", "yes", Language::En),
    ] {
        let mut s = Script::new();
        s.engage("p");
        s.say(ask);
        let a = s.say(yes);
        assert_eq!(navigations(&a), vec![("counter_12".to_string(), true)]);
        s.ev(Event::Nav(NavEvent::Accepted));
        let a = s.ev(Event::Nav(NavEvent::Silent));
        let (text, l, _) = one_say(&a);
        assert_eq!(l, lang);
        assert!(text.contains("12"), "names the place: {text}");
        assert!(!text.contains("{place}"), "{text}");
        assert!(
            a.iter().any(|x| matches!(
                x,
                Action::StaffAlert {
                    reason: AlertReason::RobotFault,
                    person_id,
                    ..
                } if person_id == "p"
            )),
            "{a:?}"
        );
        // The restarted navigation node does not know where the robot is: no goal, not even home.
        assert!(navigations(&a).is_empty(), "{a:?}");
        assert!(!a.contains(&Action::ReturnToDock));
        assert_eq!(s.d.snapshot().state, "handover");
        assert!(s.ev(Event::Nav(NavEvent::Silent)).is_empty(), "said once");
    }
}

#[test]
fn shipped_config_loads_and_bad_keys_are_named() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/dialog.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let cfg = DialogConfig::from_ros_yaml(&text, "dialog").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cfg, DialogConfig::default(), "shipped file = defaults");
    let bad = "dialog:\n  ros__parameters:\n    silence_timout_s: 3.0\n";
    let e = DialogConfig::from_ros_yaml(bad, "dialog")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("silence_timout_s"), "{e}");
    let bad = "dialog:\n  ros__parameters:\n    repeat_rate: 1.5\n";
    let e = DialogConfig::from_ros_yaml(bad, "dialog")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("repeat_rate"), "{e}");
    let bad = "dialog:\n  ros__parameters:\n    suggestions: [proc.nope]\n";
    let e = DialogConfig::from_ros_yaml(bad, "dialog")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("suggestions") && e.contains("proc.nope"), "{e}");
    assert!(DialogConfig::from_ros_yaml("other: {ros__parameters: {}}", "dialog").is_err());
}
