
+
)b2d35daf-ff1b-4410-81a9-028faa714a2d-0008šW
U
rootcapture-d-renamed+
)b2d35daf-ff1b-4410-81a9-028faa714a2d-0008RRRb*