//! Typed indexes into the model's tables (no pointers, no sentinels).

macro_rules! define_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(u32);

        impl $name {
            pub fn new(i: usize) -> Self {
                $name(u32::try_from(i).expect("more than 4 billion model entries"))
            }
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

define_id!(
    /// A function (the program itself is [`FnId::ROOT`]).
    FnId
);
define_id!(
    /// A binding: one declared variable, parameter, function or class name.
    BindingId
);
define_id!(
    /// A node of the value-flow graph.
    NodeId
);
define_id!(
    /// An allocation site: an object or array literal, a `new`, the global object.
    ObjId
);
define_id!(
    /// A sink: a place where text is run or leaves the realm.
    SinkId
);
define_id!(
    /// A link of the chain of facts that dominate a point ([`super::guards`]).
    ProofId
);

impl FnId {
    pub const ROOT: FnId = FnId(0);
}

impl ObjId {
    /// The global object (`self`, `window`, `globalThis`, unresolved names).
    pub const GLOBAL: ObjId = ObjId(0);
}

impl ProofId {
    /// No fact.
    pub const NONE: ProofId = ProofId(0);
}
