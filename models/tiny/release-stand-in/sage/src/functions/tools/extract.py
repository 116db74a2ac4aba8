def extract_parts_from_timestamp(video_path: str, timestamp_start: str, timestamp_end: str, extract_type: str = "frames"):
    """Stand-in: ten frames of a window.

    Args:
        video_path: the video
        timestamp_start: window start
        timestamp_end: window end
        extract_type: frames or subclips
    """
