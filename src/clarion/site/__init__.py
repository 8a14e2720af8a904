"""The archive site: every published post, feeds, built as static files.

`build.build_site` runs the stages: `collect` reads the posts into the `model`
(and decides which receipts may be linked), `render` fills the Jinja2
`templates` (which an organisation can replace: `[tool.clarion.site]
templates`), `feeds` writes Atom and JSON Feed, and `output` writes the folder.
"""
