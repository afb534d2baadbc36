//! Short names of intents, for clarification questions, screen titles and topic buttons: each
//! intent's `title` in the knowledge base (`kb/intents/*.yaml`).

use letan_nlu::{Kb, Language};

/// The short name of an intent (the id itself if the knowledge base lacks it).
pub fn title<'a>(kb: &'a Kb, intent: &'a str, lang: Language) -> &'a str {
    kb.title(intent, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_intent_has_a_title_in_both_languages() {
        let kb = Kb::embedded().unwrap_or_else(|e| panic!("{e:?}"));
        for id in letan_nlu::catalog::INTENTS {
            for lang in [Language::Vi, Language::En] {
                let t = title(&kb, id, lang);
                assert!(t != *id && !t.trim().is_empty(), "{id} {lang:?}");
            }
        }
        assert_eq!(title(&kb, "nav.where_is", Language::En), "Directions");
        assert_eq!(title(&kb, "no.such_intent", Language::Vi), "no.such_intent");
    }
}
