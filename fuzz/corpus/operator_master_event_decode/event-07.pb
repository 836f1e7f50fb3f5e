J<
:
rootprobe+
)580e5557-0c27-477e-b567-2e28dfc055c1-0011