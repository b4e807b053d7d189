// planact view: filters apply on change, and a plan step highlights the trajectory actions it covers.
for (const select of document.querySelectorAll('select[data-filter], select[data-autosubmit]')) {
  select.addEventListener('change', () => select.form.submit());
}

function highlight(step) {
  for (const marked of document.querySelectorAll('.highlight')) {
    marked.classList.remove('highlight');
  }
  step.classList.add('highlight');
  for (const number of step.dataset.actions.split(' ').filter(n => n.length > 0)) {
    document.getElementById('action-' + number)?.classList.add('highlight');
  }
}

for (const step of document.querySelectorAll('.plan-step')) {
  step.addEventListener('click', () => highlight(step));
  step.addEventListener('focus', () => highlight(step));
}
