
+
)b2d35daf-ff1b-4410-81a9-028faa714a2d-0008	Jä
5

t-long)
'b2d35daf-ff1b-4410-81a9-028faa714a2d-S0
5

t-echo)
'b2d35daf-ff1b-4410-81a9-028faa714a2d-S0
;

no-such-task)
'b2d35daf-ff1b-4410-81a9-028faa714a2d-S0


no-such-task-2
#

no-such-task-3
no-such-agent