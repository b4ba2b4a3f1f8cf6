use std::marker::PhantomData;

struct Store<T>(PhantomData<T>);

#[boltmcp::handlers]
impl<T: Send + Sync + 'static> Store<T> {
    /// Counts.
    #[tool]
    fn count(&self) -> u32 {
        0
    }
}

fn main() {}
