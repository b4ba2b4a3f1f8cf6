struct Counter {
    count: u64,
}

#[boltmcp::handlers]
impl Counter {
    /// Counts.
    #[tool]
    fn increment(&mut self, by: u64) -> u64 {
        self.count += by;
        self.count
    }
}

fn main() {}
