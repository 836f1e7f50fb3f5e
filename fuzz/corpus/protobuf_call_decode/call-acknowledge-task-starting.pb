
+
)3366c730-6978-4a2a-b6d5-ddd7d84ee374-0000BG
)
'b2d35daf-ff1b-4410-81a9-028faa714a2d-S0
f-task-%ØgEþ´„Ûäÿ