"""The Home page's live overview: the whole network for the current drawing, stage by stage
(maps.py: which maps each stage shows, pure; view.py: the fragment's view and the links that
open a stage on the Forward pass)."""
