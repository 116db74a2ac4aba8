def unified_web_search(query: str, search_type: str = "web", num_results: int = 3):
    """Stand-in: search the web.

    Args:
        query: what to search for
        search_type: web
        num_results: how many results
    """


def parse_web_data(website_url: str, max_content_length: int = 5000):
    """Stand-in: read a web page.

    Args:
        website_url: the page
        max_content_length: most characters returned
    """
