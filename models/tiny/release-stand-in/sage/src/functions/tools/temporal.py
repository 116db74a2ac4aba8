def identify_timestamps_visually(video_path: str, event: str, timestamp_start: str, timestamp_end: str):
    """Stand-in: find when an event happens in a window.

    Args:
        video_path: the video
        event: what to look for
        timestamp_start: window start
        timestamp_end: window end
    """
