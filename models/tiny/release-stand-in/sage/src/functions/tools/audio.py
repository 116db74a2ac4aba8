def verbal_transcript(video_path: str, timestamp_start: str, timestamp_end: str):
    """Stand-in: transcribe speech in a window.

    Args:
        video_path: the video
        timestamp_start: window start
        timestamp_end: window end
    """
