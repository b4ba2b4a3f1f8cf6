// A Principal is a proof that a verifier vouched for the caller: code outside the
// auth module cannot make one, whether from what a verifier would return or by hand.
use boltmcp::server::{Principal, Verified};

fn main() {
    let _by_vouching = Principal::vouch(Verified::new("admin", ["*"]));
    let _by_hand = Principal(Default::default());
}
