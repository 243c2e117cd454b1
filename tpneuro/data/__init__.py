"""Datasets: an IDX reader, Fashion-MNIST / MNIST / IDX / digits / teacher splits."""
from .datasets import (
    DATASET_NAMES,
    FASHION_MNIST_DIR,
    IDX_FILES,
    SEEDED_DATASETS,
    DataSplits,
    expected_shape,
    load_dataset,
)
from .idx import IDX_ELEMENT_TYPES, read_idx
from .teacher import TeacherNetwork, make_teacher, make_teacher_task

__all__ = ["DATASET_NAMES", "FASHION_MNIST_DIR", "IDX_ELEMENT_TYPES", "IDX_FILES", "SEEDED_DATASETS", "DataSplits",
           "TeacherNetwork",
           "expected_shape", "load_dataset", "make_teacher", "make_teacher_task", "read_idx"]
