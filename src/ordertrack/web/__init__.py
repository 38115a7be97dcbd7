"""Pages for shoppers and merchants, and the links that open them."""
