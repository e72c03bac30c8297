// The migrations are embedded by `sqlx::migrate!`; rebuild when one is added or changed, which
// cargo would not otherwise notice (sqlx's own advice).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
