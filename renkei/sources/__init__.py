"""Where editions come from: a local folder, a direct URL, or the publisher's listing page."""
