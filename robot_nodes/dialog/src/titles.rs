//! Short names of intents, for clarification questions, screen titles and topic buttons.

use letan_nlu::Language;

const TITLES: &[(&str, &str, &str)] = &[
    ("chat.greeting", "Chào hỏi", "Greeting"),
    ("chat.goodbye", "Tạm biệt", "Goodbye"),
    ("chat.thanks", "Cảm ơn", "Thanks"),
    ("chat.identity", "Giới thiệu robot", "About the robot"),
    ("chat.capabilities", "Robot giúp được gì", "What I can do"),
    ("chat.repeat", "Nhắc lại", "Repeat"),
    ("chat.language", "Đổi ngôn ngữ", "Change language"),
    ("nav.guide", "Dẫn đường", "Take me there"),
    ("nav.where_is", "Chỉ đường", "Directions"),
    ("staff.handoff", "Gặp cán bộ", "Talk to staff"),
    ("amenity.wifi", "Wifi miễn phí", "Free wifi"),
    ("amenity.printing", "In, photo", "Printing and copying"),
    ("amenity.forms", "Mẫu tờ khai", "Forms"),
    ("amenity.charging", "Sạc điện thoại", "Phone charging"),
    ("amenity.water_snacks", "Nước uống", "Drinking water"),
    ("amenity.medical", "Y tế, sơ cứu", "First aid"),
    ("amenity.waiting_area", "Khu chờ", "Waiting area"),
    (
        "amenity.accessibility",
        "Hỗ trợ người khuyết tật",
        "Accessibility",
    ),
    (
        "service.online_support",
        "Hỗ trợ làm trực tuyến",
        "Help doing it online",
    ),
    (
        "service.consultation",
        "Tư vấn thủ tục",
        "Advice on procedures",
    ),
    ("service.vneid", "Ứng dụng VNeID", "VNeID app"),
    ("service.ihanoi", "Ứng dụng iHanoi", "iHanoi app"),
    (
        "service.digital_signature",
        "Chữ ký số",
        "Digital signature",
    ),
    ("service.status_tracking", "Tra cứu hồ sơ", "Dossier status"),
    ("service.queue_number", "Lấy số thứ tự", "Queue number"),
    ("service.fee_payment", "Nộp phí, lệ phí", "Paying fees"),
    (
        "service.scan_digitize",
        "Số hoá giấy tờ",
        "Scanning documents",
    ),
    (
        "service.mobile_office",
        "Xe phục vụ lưu động",
        "Mobile service bus",
    ),
    ("service.kiosk", "Ki-ốt tự phục vụ", "Self-service kiosks"),
    ("service.collaborators", "Cộng tác viên", "Volunteers"),
    ("service.feedback", "Góp ý, phản ánh", "Feedback"),
    ("service.opening_hours", "Giờ làm việc", "Opening hours"),
    (
        "proc.birth_registration",
        "Đăng ký khai sinh",
        "Birth registration",
    ),
    (
        "proc.death_registration",
        "Đăng ký khai tử",
        "Death registration",
    ),
    (
        "proc.marriage_registration",
        "Đăng ký kết hôn",
        "Marriage registration",
    ),
    (
        "proc.marital_status",
        "Xác nhận tình trạng hôn nhân",
        "Marital status certificate",
    ),
    (
        "proc.permanent_residence",
        "Đăng ký thường trú",
        "Permanent residence",
    ),
    (
        "proc.temporary_residence",
        "Đăng ký tạm trú",
        "Temporary residence",
    ),
    ("proc.id_card", "Căn cước", "ID card"),
    ("proc.passport", "Hộ chiếu", "Passport"),
    (
        "proc.certified_copy",
        "Chứng thực bản sao",
        "Certified copies",
    ),
    (
        "proc.signature_certification",
        "Chứng thực chữ ký",
        "Signature certification",
    ),
    (
        "proc.judicial_record",
        "Lý lịch tư pháp",
        "Criminal record certificate",
    ),
    (
        "proc.land_certificate",
        "Sổ đỏ, đất đai",
        "Land certificate",
    ),
    (
        "proc.construction_permit",
        "Giấy phép xây dựng",
        "Building permit",
    ),
    (
        "proc.household_business",
        "Hộ kinh doanh",
        "Household business",
    ),
    (
        "proc.enterprise_registration",
        "Đăng ký doanh nghiệp",
        "Company registration",
    ),
    (
        "proc.driving_license",
        "Giấy phép lái xe",
        "Driving license",
    ),
    ("proc.health_insurance", "Bảo hiểm y tế", "Health insurance"),
    (
        "proc.social_allowance",
        "Trợ cấp xã hội",
        "Social allowance",
    ),
    (
        "proc.unemployment_benefit",
        "Trợ cấp thất nghiệp",
        "Unemployment benefit",
    ),
    ("fallback.out_of_scope", "Câu hỏi khác", "Other question"),
];

/// The short name of an intent (the id itself if unknown).
pub fn title(intent: &str, lang: Language) -> &str {
    TITLES
        .iter()
        .find(|(id, _, _)| *id == intent)
        .map_or(intent, |(_, vi, en)| match lang {
            Language::Vi => vi,
            Language::En => en,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_intent_has_a_title_in_both_languages() {
        for id in letan_nlu::catalog::INTENTS {
            assert_ne!(title(id, Language::Vi), *id, "{id}");
            assert_ne!(title(id, Language::En), *id, "{id}");
        }
        assert_eq!(TITLES.len(), letan_nlu::catalog::INTENTS.len());
    }
}
