# Convenience wrappers; dev.py does the work and needs only Python and git.
.PHONY: demo test check
demo:
	python3 dev.py demo
test:
	python3 dev.py test
check:
	python3 dev.py check
