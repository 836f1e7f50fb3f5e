2
hello executor