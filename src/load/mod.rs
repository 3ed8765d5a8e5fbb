//! Stage 2, load: find the workspace, read its files, and turn each YAML document into a raw,
//! spanned document type. This stage knows YAML, not meaning: a raw document has the right
//! shape (no unknown keys, right scalar types) but its strings are not yet validated.

mod confined;
mod discover;
mod document;
mod located;
mod ordered_map;
pub mod raw;
mod relative_path;
mod split;
mod string_map;
mod workspace;
mod yaml;

pub use confined::{Confinement, Refusal};
pub use discover::{find_workspace, WorkspaceNotFound, MANIFEST_FILE};
pub use document::Document;
pub use located::Located;
pub use ordered_map::OrderedMap;
pub use relative_path::{path_from, relative_path};
pub use string_map::StringMap;
pub use workspace::{load_workspace, load_workspace_shown_as, LoadedWorkspace, TemplateFile};
