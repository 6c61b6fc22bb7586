//! Tools for the owner of a layout, before anyone signs it: drafting one
//! from the links of a run ([`draft`]) and checking one for the mistakes
//! that otherwise show only when a verification fails ([`check`]).

pub mod check;
pub mod draft;
