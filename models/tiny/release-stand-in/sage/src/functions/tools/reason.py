from typing import List


def perform_reasoning(query: str, media_paths: List[str]):
    """Stand-in: answer a question about extracted frames.

    Args:
        query: the question
        media_paths: frames from earlier extractions
    """
