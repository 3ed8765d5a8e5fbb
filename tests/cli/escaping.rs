//! HTML auto-escaping end to end: whatever a profile field holds, the rendered HTML contains
//! it only escaped (SPEC §6: `& < > " '` become `&amp; &lt; &gt; &quot; &#39;`).

use std::collections::BTreeMap;

use proptest::prelude::*;
use tailor::template::{globals_from_json, Engine};

fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

const TEMPLATE: &str = "<p title=\"{{ user.name }}\">Hi {{ user.name | default: 'you' }}</p>\
{% for tag in user.tags %}<li>{{ tag }}</li>{% endfor %}\
{% capture note %}<em>{{ user.note }}</em>{% endcapture %}{{ note }}\
<div>{{ user.bio | raw }}</div>";

fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,30}",
        Just("<script>alert('x')</script>".to_string()),
        Just("\"><img src=x onerror=alert(1)>".to_string()),
        Just("Tom & Jerry's \"shop\"\r\nnext\0line".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn data_never_becomes_markup(name in field(), tags in prop::collection::vec(field(), 0..3), note in field()) {
        let engine = Engine::new(&BTreeMap::new(), &Default::default(), true);
        let globals = globals_from_json(&serde_json::json!({
            "user": { "name": name.clone(), "tags": tags.clone(), "note": note.clone(), "bio": "<b>trusted</b>" }
        }));
        let html = engine.render_source(TEMPLATE, &globals).expect("renders");
        let shown = if name.is_empty() { "you".to_string() } else { escaped(&name) };
        let items: String = tags.iter().map(|t| format!("<li>{}</li>", escaped(t))).collect();
        let expected = format!(
            "<p title=\"{}\">Hi {shown}</p>{items}<em>{}</em><div><b>trusted</b></div>",
            escaped(&name),
            escaped(&note)
        );
        prop_assert_eq!(html, expected);
    }
}
