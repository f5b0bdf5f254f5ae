from tests.operations.backends import task_queue

__all__ = ["task_queue"]
