"""Where editions come from: a folder, a URL, or the publisher's listing page (no network code here)."""
