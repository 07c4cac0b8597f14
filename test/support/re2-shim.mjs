// A stand-in for the native `re2` module: JavaScript's RegExp. gitlab-ci-local uses re2 only to
// evaluate `=~` in `rules: if:` and to match `include:` globs; see re2.mjs for why it is needed.
export default class RE2 extends RegExp {}
