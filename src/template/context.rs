//! The variables a template sees (SPEC §6), built from the schema and the campaign.

use std::collections::BTreeMap;

use super::shape::{Shape, Value};
use crate::model::{DataSchema, EventSchema, PersonaLabels, Table, Type};

/// The global variables of one template use, and why some well-known ones are absent.
#[derive(Debug, Clone, Default)]
pub struct TemplateContext {
    /// Variable name to value.
    pub globals: BTreeMap<String, Value>,
    /// For a well-known variable left out here, why (a hint for the diagnostic).
    pub absent: BTreeMap<String, String>,
    /// The labels each persona model can give, for `user.persona.<model> == "..."`.
    pub persona_labels: BTreeMap<String, PersonaLabels>,
    /// A catalog row, what `product` gives; `None` without a catalog.
    pub catalog: Option<Value>,
}

/// Builds [`TemplateContext`]s sharing the `user` object.
#[derive(Debug, Clone)]
pub struct ContextBuilder {
    user: Value,
    persona_labels: BTreeMap<String, PersonaLabels>,
    catalog: Option<Value>,
}

fn table_object(table: &Table) -> BTreeMap<String, Value> {
    table
        .fields
        .iter()
        .map(|f| (f.name.clone(), Value::from_type(&f.ty)))
        .collect()
}

impl TemplateContext {
    /// Makes `name` a variable of unknown shape: its declaration is broken and already reported
    /// (a trigger on a misspelt event type), so its uses are not reported again.
    pub fn assume(&mut self, name: &str) {
        self.absent.remove(name);
        self.globals.insert(name.to_string(), Value::any());
    }
}

impl ContextBuilder {
    /// `user`: profile fields, features, `persona.<model>` (a label) and `score.<model>` (a
    /// probability); both nil outside the model's population.
    pub fn new(
        schema: &DataSchema,
        features: &BTreeMap<String, Option<Type>>,
        personas: &[String],
        persona_labels: &BTreeMap<String, PersonaLabels>,
        scores: &[String],
    ) -> ContextBuilder {
        let mut user = table_object(&schema.profiles);
        for (name, ty) in features {
            user.insert(name.clone(), ty.as_ref().map_or(Value::any(), Value::from_type));
        }
        let nullable = |shape: Shape| Value { shape, nullable: true };
        for (namespace, names, shape) in [("persona", personas, Shape::String), ("score", scores, Shape::Float)] {
            if !names.is_empty() {
                let values = names
                    .iter()
                    .map(|name| (name.clone(), nullable(shape.clone())))
                    .collect();
                user.insert(namespace.into(), Value::object(values));
            }
        }
        ContextBuilder {
            user: Value::object(user),
            persona_labels: persona_labels.clone(),
            catalog: schema.catalog.as_ref().map(|c| Value::object(table_object(c))),
        }
    }

    fn empty(&self) -> TemplateContext {
        TemplateContext {
            persona_labels: self.persona_labels.clone(),
            catalog: self.catalog.clone(),
            ..TemplateContext::default()
        }
    }

    /// The context of the manifest's unsubscribe URL: `user` and `unsubscribe_token`.
    pub fn unsubscribe(&self) -> TemplateContext {
        let mut context = self.empty();
        context.globals.insert("user".into(), self.user.clone());
        context
            .globals
            .insert("unsubscribe_token".into(), Value::of(Shape::String));
        context
    }

    /// The context of a campaign's subject, preheader and templates.
    pub fn campaign(
        &self,
        event: Option<&EventSchema>,
        vars: BTreeMap<String, Value>,
        recommendations: Option<&Table>,
    ) -> TemplateContext {
        let mut context = self.empty();
        let globals = &mut context.globals;
        globals.insert("user".into(), self.user.clone());
        globals.insert("vars".into(), Value::object(vars));
        let campaign = [("name", Shape::String), ("variant", Shape::String)];
        globals.insert(
            "campaign".into(),
            Value::object(
                campaign
                    .into_iter()
                    .map(|(k, s)| (k.to_string(), Value::of(s)))
                    .collect(),
            ),
        );
        globals.insert("unsubscribe_url".into(), Value::of(Shape::String));
        globals.insert("now".into(), Value::of(Shape::DateTime));
        match event {
            Some(event) => {
                let mut properties = table_object(&event.properties);
                properties.insert("ts".into(), Value::of(Shape::DateTime));
                properties.insert("type".into(), Value::of(Shape::String));
                globals.insert("event".into(), Value::object(properties));
            }
            None => {
                let why = "`event` exists only in campaigns with an event trigger (`trigger: { on: ... }`)";
                context.absent.insert("event".into(), why.into());
            }
        }
        match recommendations {
            Some(catalog) => {
                let row = Value::object(table_object(catalog));
                context
                    .globals
                    .insert("recommendations".into(), Value::of(Shape::List(Box::new(row.shape))));
            }
            None => {
                let why = "`recommendations` needs `recommend:` in the campaign and a `catalog` in the data schema";
                context.absent.insert("recommendations".into(), why.into());
            }
        }
        context
    }
}
