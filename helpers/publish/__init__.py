"""Publishing: CSV export, the offline HTML report and refreshing the notebooks."""
