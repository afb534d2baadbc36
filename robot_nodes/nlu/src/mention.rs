//! Which of several places named is the one wanted now. People who have been sent around the
//! centre name the places they came from and the staff who spoke to them: "Quầy 2 bảo sang quầy
//! 9, quầy 9 ở đâu", "Chị ở quầy 3 bảo ra máy lấy số, máy đó ở đâu", "I finished at counter 12,
//! which way is the exit". Such a mention is *reported*: it is not where they want to go. A
//! mention right after a word of going towards it ("sang quầy 7", "ra bàn biểu mẫu", "to the
//! exit") is where they want to go.

use crate::normalize::Token;

/// One place named in an utterance: its tokens `at..end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub at: usize,
    pub end: usize,
    pub place: String,
}

/// The word `k` places before the mention (1: the one right before it), if any.
fn word_before<'a>(t: &'a [Token], m: &Mention, k: usize) -> Option<&'a Token> {
    m.at.checked_sub(k).and_then(|i| t.get(i))
}

/// A word after a place that says someone there spoke: "quầy 1 bảo", "counter 4 said". The
/// plain "bao" counts unless it starts "bao nhiêu", "bao giờ", "bao lâu".
fn says(t: &Token, next: Option<&Token>) -> bool {
    if t.has_diacritics() {
        return matches!(t.text.as_str(), "bảo" | "nói" | "dặn" | "kêu");
    }
    match t.plain.as_str() {
        "bao" => !next.is_some_and(|x| matches!(x.plain.as_str(), "nhieu" | "gio" | "lau")),
        "said" | "says" | "told" | "tells" | "sent" | "asked" => true,
        _ => false,
    }
}

/// Whether the mention only reports where the speaker was, or who spoke to them:
/// - someone there spoke: "quầy 1 bảo …", "chị quầy 6 bảo", "the lady at counter 4 said";
/// - the speaker came out of it or from it: "ở quầy 2 ra", "từ quầy 1 sang", "from counter 3";
/// - the speaker finished there: "xong ở quầy 6", "finished at counter 12", "I was at …".
pub fn is_reported(t: &[Token], m: &Mention) -> bool {
    let before = |k: usize| word_before(t, m, k);
    let said = t.get(m.end).is_some_and(|x| says(x, t.get(m.end + 1)));
    let came_out = t.get(m.end).is_some_and(|x| x.text == "ra")
        && (1..=3).any(|k| before(k).is_some_and(|x| matches!(x.text.as_str(), "ở" | "từ")));
    let from = before(1).is_some_and(|x| x.text == "từ" || x.plain == "from");
    let finished = before(1).is_some_and(|x| matches!(x.text.as_str(), "ở" | "at"))
        && before(2).is_some_and(|x| {
            matches!(
                x.plain.as_str(),
                "xong" | "finished" | "done" | "was" | "were"
            )
        });
    said || came_out || from || finished
}

/// Whether the mention is a landmark that places another thing: "cái máy cạnh cửa ra vào",
/// "quầy 5 có gần cửa không", "cái phòng có chữ thập đỏ trên cửa", "the desk next to the
/// exit", "near the entrance".
pub fn is_landmark(t: &[Token], m: &Mention) -> bool {
    let before = |k: usize| word_before(t, m, k);
    let near = |x: &Token| {
        if x.has_diacritics() {
            matches!(x.text.as_str(), "cạnh" | "gần" | "sát" | "trên")
        } else {
            matches!(x.plain.as_str(), "canh" | "near" | "beside")
        }
    };
    before(1).is_some_and(near)
        || (before(1).is_some_and(|x| x.plain == "to")
            && before(2).is_some_and(|x| x.plain == "next"))
        || (before(1).is_some_and(|x| x.plain == "the")
            && (before(2).is_some_and(near)
                || (before(2).is_some_and(|x| x.plain == "to")
                    && before(3).is_some_and(|x| x.plain == "next"))))
}

/// Whether the mention names the robot itself: "cô lễ tân máy ơi", "bạn lễ tân robot", "the
/// robot receptionist", "robot lễ tân ơi": a receptionist that is a machine is the one spoken to,
/// not the reception desk.
pub fn is_the_robot(t: &[Token], m: &Mention) -> bool {
    let receptionist = m.end > m.at
        && matches!(
            t[m.end - 1].plain.as_str(),
            "tan" | "receptionist" | "reception"
        );
    let machine = |x: &Token| matches!(x.text.as_str(), "máy" | "ảo") || x.plain == "robot";
    receptionist
        && (t.get(m.end).is_some_and(machine)
            || (word_before(t, m, 1).is_some_and(|x| x.plain == "robot")
                && t.get(m.end).is_some_and(|x| x.plain == "oi")))
}

/// Whether the mention is passed over when the destination is chosen: reported
/// ([`is_reported`]), a landmark ([`is_landmark`]) or the robot itself ([`is_the_robot`]).
pub fn is_passed_over(t: &[Token], m: &Mention) -> bool {
    is_reported(t, m) || is_landmark(t, m) || is_the_robot(t, m)
}

/// A word of going towards a place: "sang", "ra", "đến", "tới", "vào", "qua", "lên", "to".
fn goes_to(t: &Token) -> bool {
    if t.has_diacritics() {
        matches!(t.text.as_str(), "đến" | "tới" | "vào" | "lên")
    } else {
        matches!(
            t.plain.as_str(),
            "sang" | "ra" | "qua" | "den" | "vao" | "to" | "towards"
        )
    }
}

/// Whether a word of going comes right before the mention, or before one word that only says
/// "the" or "a place" ("ra chỗ cây nước", "to the exit").
pub fn is_headed_for(t: &[Token], m: &Mention) -> bool {
    let before = |k: usize| word_before(t, m, k);
    before(1).is_some_and(goes_to)
        || (before(1).is_some_and(|x| {
            matches!(
                x.plain.as_str(),
                "the" | "cho" | "cai" | "khu" | "ban" | "quay"
            )
        }) && before(2).is_some_and(goes_to))
}

/// Of the mentions, in order of precedence, the index of the one wanted: the first headed for
/// that is not passed over ([`is_passed_over`]), else the first not passed over. `None` when
/// every mention is ("Quầy 1 bảo không làm khai sinh, vậy khai sinh ở đâu": no place of the
/// lobby is asked for; "cái máy cạnh cửa ra vào": the thing beside the door is not named).
pub fn wanted(t: &[Token], mentions: &[Mention]) -> Option<usize> {
    let live = || (0..mentions.len()).filter(|&k| !is_passed_over(t, &mentions[k]));
    live()
        .find(|&k| is_headed_for(t, &mentions[k]))
        .or_else(|| live().next())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    /// The mention of the words `words` (their first occurrence) in `text`.
    fn mention(text: &str, words: &str) -> (Vec<Token>, Mention) {
        let t = normalize(text).tokens;
        let w = normalize(words).tokens;
        let at = (0..t.len())
            .find(|&i| t[i..].iter().zip(&w).all(|(a, b)| a.text == b.text))
            .unwrap();
        let m = Mention {
            at,
            end: at + w.len(),
            place: words.to_string(),
        };
        (t, m)
    }

    #[test]
    fn places_where_the_speaker_was_or_whose_staff_spoke_are_reported() {
        for (text, words) in [
            ("Quầy 1 bảo không làm, vậy làm ở đâu", "quầy 1"),
            ("Chị quầy 6 bảo ngồi khu chờ", "quầy 6"),
            (
                "Mẹ tôi mới ở quầy 2 ra, em đưa bà ra chỗ ngồi chờ",
                "quầy 2",
            ),
            ("bác đi từ quầy 1 sang đây khát quá", "quầy 1"),
            ("Xong ở quầy 6 rồi, em đưa bác ra cửa", "quầy 6"),
            ("The lady at counter 4 said they have one", "counter 4"),
            ("I finished at counter 12 and got lost", "counter 12"),
            ("quay 3 bao sang quay 9", "quay 3"),
        ] {
            let (t, m) = mention(text, words);
            assert!(is_reported(&t, &m), "{text}");
        }
    }

    #[test]
    fn places_asked_for_are_not_reported() {
        for (text, words) in [
            ("quầy 1 ở đâu", "quầy 1"),
            ("quầy 3 bao lâu thì xong", "quầy 3"),
            ("dẫn tôi ra quầy 5 với", "quầy 5"),
            ("where is counter 4", "counter 4"),
            ("ở quầy 2 có làm khai sinh không", "quầy 2"),
        ] {
            let (t, m) = mention(text, words);
            assert!(!is_reported(&t, &m), "{text}");
        }
    }

    #[test]
    fn the_place_headed_for_goes_before_a_place_only_passed() {
        let t =
            normalize("Bác đi quầy 3 rồi quầy 5, lạc mất rồi, em dẫn bác sang quầy 7 với").tokens;
        let at = |w: &str| t.iter().position(|x| x.text == w).unwrap();
        let m = |n: &str, place: &str| Mention {
            at: at(n) - 1,
            end: at(n) + 1,
            place: place.to_string(),
        };
        let ms = [
            m("3", "counter_3"),
            m("5", "counter_5"),
            m("7", "counter_7"),
        ];
        assert_eq!(wanted(&t, &ms), Some(2));
        // nothing headed for: the first, as before
        assert_eq!(wanted(&t, &ms[..2]), Some(0));
    }

    #[test]
    fn places_beside_what_is_asked_for_are_landmarks() {
        for (text, words) in [
            ("dẫn bác ra cái máy cạnh cửa ra vào", "cửa ra vào"),
            ("quầy 5 có gần cửa chính không", "cửa chính"),
            ("the desk next to the exit", "exit"),
            ("the bench near the entrance", "entrance"),
            ("cái phòng có chữ thập đỏ trên cửa ở đâu", "cửa"),
        ] {
            let (t, m) = mention(text, words);
            assert!(is_landmark(&t, &m), "{text}");
        }
        let (t, m) = mention("dẫn bác ra cửa ra vào", "cửa ra vào");
        assert!(!is_landmark(&t, &m));
    }

    #[test]
    fn when_every_place_is_reported_none_is_wanted() {
        let (t, m) = mention(
            "Quầy 1 bảo không làm khai sinh, vậy đăng ký ở đâu",
            "quầy 1",
        );
        assert_eq!(wanted(&t, &[m]), None);
    }
}
