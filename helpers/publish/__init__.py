"""Publishing: CSV export, REFI-QDA projects (qdpx), the offline HTML report and refreshing the notebooks."""
