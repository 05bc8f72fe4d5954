"""The page objects the spiders' callbacks use: what a navigation, listing or article page means and what to ask
for next (a navigator, a listing walker, an article page), as plain objects that make no request themselves."""
