//! Generates the LPC parser from `src/parser/grammar.lalrpop`.

fn main() {
    lalrpop::Configuration::new()
        .emit_rerun_directives(true)
        .set_in_dir("src")
        .process()
        .expect("the LPC grammar must generate");
}
