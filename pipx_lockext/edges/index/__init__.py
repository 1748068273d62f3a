"""The index client: `client` (the `Source` the core reads, running fetches in a pool)
over `pages` (cache policy), `findlinks`, `metadata` (the fallback chain), `integrity`
(every distribution byte and its hash), `transport` (web or local), `network` (HTTP),
`cache`, `archives`, `sdistbuild` (running a backend), `buildenv` (its build
requirements: resolved by reqlock, hash-checked) and `pipconfig`.
"""
