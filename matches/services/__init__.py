"""Every write about matches, in three modules imported by name (so an importer of the checks does not
import the decisions, which reach integrity's services):

- `checks`: store what a rule found (a pair found twice is one match) and the checks run at company
  verification, application submit, tranche request and claim submit;
- `sweep`: the nightly sweep over the whole registry (`manage.py find_duplicates`, Celery beat);
- `decisions`: clear (with a reason) and confirm (opens an integrity case), through core.workflow.
"""
