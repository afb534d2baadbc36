//! Multi-turn context (issue #15), as scripted conversations: follow-ups about the same procedure,
//! a change of topic, "the other one" after a clarification, a correction; and the two whole-robot
//! conversation faults: a guide request that names an amenity, and an acceptance of the robot's
//! guide offer said as a longer sentence or with "there" / "đấy" / "đó".

mod common;

use common::*;
use letan_dialog::Language;

#[test]
fn follow_ups_about_the_same_procedure() {
    let mut s = Script::new();
    s.engage("p");
    let a = s.say("làm căn cước cần những gì");
    assert_eq!(screen(&a).title, "Căn cước");
    let fee = one_say(&s.say("thế còn lệ phí?"));
    assert!(fee.starts_with("Về lệ phí căn cước"), "{fee}");
    let time = one_say(&s.say("mất bao lâu hả cháu?"));
    assert!(time.starts_with("Thời gian căn cước"), "{time}");
    let wh = one_say(&s.say("nộp ở đâu hả cháu"));
    assert!(wh.starts_with("Nơi nộp căn cước"), "{wh}");
    assert_eq!(s.d.snapshot().intent, "proc.id_card");
}

#[test]
fn a_change_of_topic_moves_the_follow_ups() {
    let mut s = Script::new();
    s.engage("p");
    s.say("làm căn cước cần những gì");
    let a = s.say("còn đăng ký kết hôn thì cần giấy tờ gì");
    assert_eq!(screen(&a).title, "Đăng ký kết hôn");
    let fee = one_say(&s.say("thế còn lệ phí?"));
    assert!(fee.contains("kết hôn"), "{fee}");
    assert!(!fee.contains("căn cước"), "{fee}");
    // A place question in between does not lose the procedure.
    s.say("nhà vệ sinh ở đâu");
    s.say("không cần đâu");
    let time = one_say(&s.say("mất bao lâu hả cháu?"));
    assert!(time.contains("kết hôn"), "{time}");
}

#[test]
fn follow_ups_in_english() {
    let mut s = Script::new();
    s.engage("p");
    s.say("how do i get a new id card");
    let fee = one_say(&s.say("and how much does it cost"));
    assert!(fee.starts_with("The fee for"), "{fee}");
    let time = one_say(&s.say("how long does it take"));
    assert!(time.starts_with("Time for"), "{time}");
}

fn clarify_pair(s: &Script) -> Vec<String> {
    let u = s.d.nlu().understand("đăng ký");
    assert!(u.needs_clarification, "{u:?}");
    u.alternatives
        .iter()
        .map(|(i, _)| i.clone())
        .filter(|i| i != "fallback.out_of_scope")
        .take(2)
        .collect()
}

#[test]
fn the_other_one_after_a_clarification() {
    let mut s = Script::new();
    s.engage("p");
    let options = clarify_pair(&s);
    s.say("đăng ký");
    s.say("cái thứ nhất");
    assert_eq!(s.d.snapshot().intent, options[0]);
    let a = s.say("không phải, cái kia cơ");
    assert_eq!(s.d.snapshot().intent, options[1]);
    assert_eq!(screen(&a).title, title(&options[1], Language::Vi));
    // And back again.
    s.say("cái kia");
    assert_eq!(s.d.snapshot().intent, options[0]);
    // Follow-ups follow the one chosen last.
    let mut s = Script::new();
    s.engage("p");
    s.say("đăng ký");
    s.say("the first one");
    s.say("the other one");
    assert_eq!(s.d.snapshot().intent, options[1]);
}

#[test]
fn the_other_one_without_a_clarification_is_not_invented() {
    let mut s = Script::new();
    s.engage("p");
    s.say("làm căn cước cần những gì");
    s.say("cái kia");
    assert_ne!(s.d.snapshot().intent, "proc.id_card");
}

#[test]
fn a_correction_replaces_the_topic() {
    let mut s = Script::new();
    s.engage("p");
    let a = s.say("làm hộ chiếu thế nào");
    assert_eq!(screen(&a).title, title("proc.passport", Language::Vi));
    let a = s.say("không, ý bác là làm căn cước");
    assert_eq!(screen(&a).title, "Căn cước");
    let fee = one_say(&s.say("thế còn lệ phí?"));
    assert!(fee.contains("căn cước"), "{fee}");
    // English.
    let mut s = Script::new();
    s.engage("p");
    s.say("how do i get a passport");
    let a = s.say("no, i mean a marriage certificate");
    assert_eq!(
        s.d.snapshot().intent,
        "proc.marriage_registration",
        "{a:#?}"
    );
    // A plain "no thanks" is still a no, and "không có gì" is not a correction.
    let a = s.say("no thanks");
    assert!(one_say(&a).contains("Goodbye"), "{a:#?}");
}

#[test]
fn a_guide_request_naming_an_amenity_offers_to_go() {
    for (text, place) in [
        ("cháu làm ơn dẫn bác ra chỗ mẫu tờ khai với ạ", "forms_desk"),
        ("dẫn bác đến chỗ uống nước với", "water_station"),
        (
            "cháu ơi dẫn bác đến chỗ sạc điện thoại với",
            "charging_station",
        ),
        ("con dẫn bà ra chỗ photo với nhé", "printing_area"),
        ("take me to the drinking water please", "water_station"),
        ("could you take me to the first aid", "medical_corner"),
        ("please bring me to the printer", "printing_area"),
    ] {
        let mut s = Script::new();
        s.engage("p");
        let a = s.say(text);
        assert!(navigations(&a).is_empty(), "{text}: offers first");
        let offer = one_say(&a);
        assert!(
            offer.contains("dẫn bác đến") || offer.contains("take you to"),
            "{text}: {offer}"
        );
        let a = s.tap(letan_dialog::CONFIRM_YES);
        assert_eq!(navigations(&a), vec![place.to_string()], "{text}");
    }
}

fn offered_counter_5(s: &mut Script, lang: Language) {
    s.engage("p");
    let q = match lang {
        Language::Vi => "quầy số 5 ở đâu",
        Language::En => "where is counter five",
    };
    let a = s.say(q);
    assert!(navigations(&a).is_empty());
}

#[test]
fn a_longer_yes_to_the_offer_is_a_yes() {
    for (lang, reply) in [
        (Language::Vi, "vâng, cháu dẫn bác ra đấy nhé"),
        (Language::Vi, "vâng đúng rồi, cháu dẫn bác ra đấy với"),
        (Language::Vi, "ừ, ra đó"),
        (Language::Vi, "dạ được, cháu đưa bác đi với"),
        (Language::Vi, "vang chau dan bac ra day nhe"),
        (Language::En, "yes please take me there"),
        (Language::En, "yes, lead the way"),
        (Language::En, "ok, take me there"),
    ] {
        let mut s = Script::new();
        offered_counter_5(&mut s, lang);
        let a = s.say(reply);
        assert_eq!(
            navigations(&a),
            vec!["counter_5".to_string()],
            "{reply:?}: {a:#?}"
        );
    }
}

#[test]
fn a_yes_that_asks_something_else_is_not_a_yes() {
    let mut s = Script::new();
    offered_counter_5(&mut s, Language::Vi);
    let a = s.say("vâng, nhưng cho bác hỏi làm căn cước cần gì");
    assert!(navigations(&a).is_empty(), "{a:#?}");
    assert_eq!(screen(&a).title, "Căn cước");
    // Another place named: not the offered one.
    let mut s = Script::new();
    offered_counter_5(&mut s, Language::Vi);
    let a = s.say("vâng, nhưng cháu dẫn bác ra nhà vệ sinh trước nhé");
    assert!(
        !navigations(&a).contains(&"counter_5".to_string()),
        "{a:#?}"
    );
}

#[test]
fn there_means_the_place_offered_even_later() {
    let mut s = Script::new();
    offered_counter_5(&mut s, Language::Vi);
    s.say("thôi");
    // Back to it a moment later: "đấy" is counter 5.
    let a = s.say("à mà cháu dẫn bác ra đấy đi");
    let nav = navigations(&a);
    let q = said(&a);
    assert!(
        nav == vec!["counter_5".to_string()]
            || q.iter()
                .any(|(t, _)| t.contains("Quầy số 5") || t.contains("quầy số 5")),
        "{a:#?}"
    );
    if nav.is_empty() {
        let a = s.say("vâng");
        assert_eq!(navigations(&a), vec!["counter_5".to_string()]);
    }
    // Nothing offered yet: "take me there" asks where.
    let mut s = Script::new();
    s.engage("p");
    let a = s.say("take me there");
    assert!(navigations(&a).is_empty());
    assert!(one_say(&a).contains("Where would you like to go"), "{a:#?}");
}
