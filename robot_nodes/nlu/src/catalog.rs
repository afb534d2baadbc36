//! The catalog: intent and place ids from `spec/intents.tsv` and `spec/places.tsv`, exactly.

/// Every intent id, in catalog order.
pub const INTENTS: &[&str] = &[
    "chat.greeting",
    "chat.goodbye",
    "chat.thanks",
    "chat.identity",
    "chat.capabilities",
    "chat.repeat",
    "chat.language",
    "nav.guide",
    "nav.where_is",
    "staff.handoff",
    "amenity.wifi",
    "amenity.printing",
    "amenity.forms",
    "amenity.charging",
    "amenity.water_snacks",
    "amenity.medical",
    "amenity.waiting_area",
    "amenity.accessibility",
    "service.online_support",
    "service.consultation",
    "service.vneid",
    "service.ihanoi",
    "service.digital_signature",
    "service.status_tracking",
    "service.queue_number",
    "service.fee_payment",
    "service.scan_digitize",
    "service.mobile_office",
    "service.kiosk",
    "service.collaborators",
    "service.feedback",
    "service.opening_hours",
    "proc.birth_registration",
    "proc.death_registration",
    "proc.marriage_registration",
    "proc.marital_status",
    "proc.permanent_residence",
    "proc.temporary_residence",
    "proc.id_card",
    "proc.passport",
    "proc.certified_copy",
    "proc.signature_certification",
    "proc.judicial_record",
    "proc.land_certificate",
    "proc.construction_permit",
    "proc.household_business",
    "proc.enterprise_registration",
    "proc.driving_license",
    "proc.health_insurance",
    "proc.social_allowance",
    "proc.unemployment_benefit",
    "fallback.out_of_scope",
];

/// Every place id (counters 1–12 are `counter_1` … `counter_12`).
pub const PLACES: &[&str] = &[
    "entrance",
    "reception",
    "queue_kiosk",
    "waiting_area",
    "counter_1",
    "counter_2",
    "counter_3",
    "counter_4",
    "counter_5",
    "counter_6",
    "counter_7",
    "counter_8",
    "counter_9",
    "counter_10",
    "counter_11",
    "counter_12",
    "printing_area",
    "forms_desk",
    "online_service_area",
    "digital_signature_desk",
    "charging_station",
    "water_station",
    "medical_corner",
    "accessibility_desk",
    "restroom",
    "exit",
];

/// The intent for anything the robot is not for.
pub const OUT_OF_SCOPE: &str = "fallback.out_of_scope";

/// Intents that carry a `destination` slot.
pub fn takes_destination(intent: &str) -> bool {
    intent == "nav.guide" || intent == "nav.where_is"
}

/// Number of service counters in the lobby.
pub const COUNTERS: u32 = 12;

/// Every prompt id of `kb/prompts.yaml`: the dialog's own sentences (greeting, re-prompt,
/// farewell, screen titles, …), which KB editors may reword. Each needs `vi` and `en`.
pub const PROMPTS: &[&str] = &[
    "home.title",
    "home.body",
    "greeting",
    "anything_else",
    "farewell",
    "guide.wait_for_follower",
    "guide.interrupted",
    "go_ahead",
    "guide.declined",
    "not_understood.staff_called",
    "clarify.title",
    "clarify.earlier",
    "guide.follow_me",
    "guide.follow_robot",
    "repeat.nothing_said",
    "language.switched",
    "nav.where_to",
    "staff_alert.requested",
    "guide.arrived",
    "guide.failed",
    "guide.offer",
    "guide.offer_after_directions",
    "confirm.staff",
    "confirm.place",
    "confirm.topic",
    "confirm.heard",
    "alternatives.none",
    "alternatives.one",
    "alternatives.many",
    "alternatives.list",
    "clarify.two",
    "detail.fee",
    "detail.where",
    "detail.documents",
    "detail.time",
    "detail.online",
    "directions.here",
    "directions.there",
    "directions.there_near",
    "way.ahead",
    "way.ahead_left",
    "way.left",
    "way.behind_left",
    "way.ahead_right",
    "way.right",
    "way.behind_right",
];

/// The placeholders a prompt's text may hold, `{name}`, which the dialog fills in (a prompt
/// not listed has none). `address` is how the robot addresses the person ("bác", "anh", "chị"),
/// `me` how it calls itself ("cháu", "em"); `Address` and `Me` the same with a capital letter.
pub const PROMPT_PLACEHOLDERS: &[(&str, &[&str])] = &[
    ("guide.interrupted", &["place"]),
    ("guide.arrived", &["place"]),
    ("guide.failed", &["directions"]),
    ("guide.offer", &["place"]),
    ("guide.offer_after_directions", &["directions"]),
    ("confirm.staff", &["address", "Address", "me", "Me"]),
    (
        "confirm.place",
        &["address", "Address", "me", "Me", "place"],
    ),
    (
        "confirm.topic",
        &["address", "Address", "me", "Me", "topic"],
    ),
    (
        "confirm.heard",
        &["address", "Address", "me", "Me", "heard"],
    ),
    ("alternatives.none", &["address", "Address", "me", "Me"]),
    (
        "alternatives.one",
        &["address", "Address", "me", "Me", "topic"],
    ),
    (
        "alternatives.many",
        &["address", "Address", "me", "Me", "list"],
    ),
    ("alternatives.list", &["items", "last"]),
    ("clarify.two", &["first", "second"]),
    ("detail.fee", &["topic", "value"]),
    ("detail.where", &["topic", "value"]),
    ("detail.documents", &["topic", "value"]),
    ("detail.time", &["topic", "value"]),
    ("detail.online", &["topic", "value"]),
    ("directions.here", &["place"]),
    ("directions.there", &["place", "way", "metres"]),
    (
        "directions.there_near",
        &["place", "way", "metres", "landmark"],
    ),
];

/// The placeholders prompt `id` may hold (see [`PROMPT_PLACEHOLDERS`]).
pub fn prompt_placeholders(id: &str) -> &'static [&'static str] {
    PROMPT_PLACEHOLDERS
        .iter()
        .find(|(p, _)| *p == id)
        .map_or(&[], |(_, names)| names)
}
