//! Event roles (SPEC §2): which declared event types and properties mean "viewed a product",
//! "carted a product" and "bought", and which properties carry the product and its category.
//! Recommendations, purchase counts and Segment `page` calls read events through these roles,
//! so a shop whose events are called `product_viewed` and `sku` works by naming them once.

/// The event types and properties with a meaning tailor relies on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRoles {
    /// Viewing a product page (and Segment's `page` call): default `page_view`.
    pub view: String,
    /// Putting a product in the cart: default `add_to_cart`.
    pub cart: String,
    /// A purchase: default `purchase`.
    pub purchase: String,
    /// The property holding the product's catalog key: default `product_id`.
    pub product: String,
    /// The property holding the product's category (on views): default `category`.
    pub category: String,
}

impl Default for EventRoles {
    fn default() -> EventRoles {
        EventRoles {
            view: "page_view".into(),
            cart: "add_to_cart".into(),
            purchase: "purchase".into(),
            product: "product_id".into(),
            category: "category".into(),
        }
    }
}

impl EventRoles {
    /// Whether events of `kind` show interest in a product (viewed or carted).
    pub fn shows_interest(&self, kind: &str) -> bool {
        kind == self.view || kind == self.cart
    }
}
