//! `intoto layout check`.
