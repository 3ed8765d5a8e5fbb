fn main() {
    let text = std::fs::read_to_string("../shared/conformance/golden-liquid/golden_liquid.json").unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let (mut ok, mut bad, mut invalid_rejected, mut invalid_total) = (0, 0, 0, 0);
    for case in json["tests"].as_array().unwrap() {
        let template = case["template"].as_str().unwrap();
        let invalid = case["invalid"].as_bool().unwrap_or(false);
        let result = tailor::template::parse_template(template);
        if invalid { invalid_total += 1; if result.is_err() { invalid_rejected += 1; } continue; }
        match result {
            Ok(_) => ok += 1,
            Err(e) => { bad += 1; if bad <= 40 { println!("{} :: {:?} :: {}", case["name"], template.chars().take(120).collect::<String>(), e.message); } }
        }
    }
    println!("valid parsed {ok}, rejected {bad}; invalid rejected {invalid_rejected}/{invalid_total}");
}
